namespace NextToken.Numerics.Quantization;

/// <summary>
/// Q4_0: 32 values, f16 d then u8 qs[16]; value j = d · ((qs[j] &amp; 15) − 8) and value j + 16 = d · ((qs[j] &gt;&gt; 4) − 8)
/// (18 bytes).
/// </summary>
internal unsafe struct BlockQ4_0 : IQuantizedBlock
{
    public static TensorType Type => TensorType.Q4_0;
    public static int BlockElements => 32;
    public static int BlockBytes => 18;
    public static ActivationFormat Activation => ActivationFormat.Q8_0Sums;

    public static void Dequantize(byte* block, float* destination)
    {
        var d = HalfConversion.Read(block);
        var qs = block + 2;
        for (var j = 0; j < 16; j++)
        {
            destination[j] = ((qs[j] & 15) - 8) * d;
            destination[j + 16] = ((qs[j] >> 4) - 8) * d;
        }
    }

    public static void DequantizeFast(byte* block, float* destination) => Kernels.VectorDequantize.Q4_0(block, destination);

    public static float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount)
    {
        var sum = 0f;
        for (var b = 0; b < blockCount; b++)
        {
            var x = blocks + b * 18;
            var y = activations + b * ActivationQuantizer.Q8_0SumsBytes;
            var qs = x + 2;
            var q8 = (sbyte*)(y + 8);
            var sumi = 0;
            for (var j = 0; j < 16; j++)
                sumi += ((qs[j] & 15) - 8) * q8[j] + ((qs[j] >> 4) - 8) * q8[j + 16];
            sum += sumi * (HalfConversion.Read(x) * *(float*)y);
        }
        return sum;
    }

    public static float DotQuantized(byte* blocks, byte* activations, int blockCount) =>
        Kernels.IntegerDot.Q4_0(blocks, activations, blockCount);
}
