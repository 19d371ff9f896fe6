namespace NextToken.Numerics.Quantization;

/// <summary>
/// Q4_1: 32 values, f16 d, f16 m, then u8 qs[16]; value j = d · (qs[j] &amp; 15) + m and value j + 16 = d · (qs[j] &gt;&gt; 4) + m
/// (20 bytes). Pairs with Q8_1 activations, whose s = d·Σq carries the m term.
/// </summary>
internal unsafe struct BlockQ4_1 : IQuantizedBlock
{
    public static TensorType Type => TensorType.Q4_1;
    public static int BlockElements => 32;
    public static int BlockBytes => 20;
    public static ActivationFormat Activation => ActivationFormat.Q8_1;

    public static void Dequantize(byte* block, float* destination)
    {
        var d = HalfConversion.Read(block);
        var m = HalfConversion.Read(block + 2);
        var qs = block + 4;
        for (var j = 0; j < 16; j++)
        {
            destination[j] = (qs[j] & 15) * d + m;
            destination[j + 16] = (qs[j] >> 4) * d + m;
        }
    }

    public static void DequantizeFast(byte* block, float* destination) => Dequantize(block, destination);

    public static float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount)
    {
        float sum = 0f, mins = 0f;
        for (var b = 0; b < blockCount; b++)
        {
            var x = blocks + b * 20;
            var y = activations + b * ActivationQuantizer.Q8_1Bytes;
            var qs = x + 4;
            var q8 = (sbyte*)(y + 4);
            var sumi = 0;
            for (var j = 0; j < 16; j++)
                sumi += (qs[j] & 15) * q8[j] + (qs[j] >> 4) * q8[j + 16];
            sum += HalfConversion.Read(x) * HalfConversion.Read(y) * sumi;
            mins = MathF.FusedMultiplyAdd(HalfConversion.Read(x + 2), HalfConversion.Read(y + 2), mins);
        }
        return sum + mins;
    }

    public static float DotQuantized(byte* blocks, byte* activations, int blockCount) =>
        Kernels.IntegerDot.Q4_1(blocks, activations, blockCount);
}
