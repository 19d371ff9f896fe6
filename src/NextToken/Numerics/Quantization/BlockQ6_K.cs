namespace NextToken.Numerics.Quantization;

/// <summary>
/// Q6_K: 256 values in 16 groups of 16: u8 ql[128] (low 4 bits), u8 qh[64] (high 2 bits), i8 scales[16], f16 d;
/// value = d · scale · (q − 32) (210 bytes). Each half of 128 values uses 64 bytes of ql and 32 of qh: value l,
/// l + 32, l + 64, l + 96 take ql[l] low, ql[l + 32] low, ql[l] high, ql[l + 32] high and qh[l] bits 0–1, 2–3, 4–5, 6–7.
/// </summary>
internal unsafe struct BlockQ6_K : IQuantizedBlock
{
    public static TensorType Type => TensorType.Q6_K;
    public static int BlockElements => 256;
    public static int BlockBytes => 210;
    public static ActivationFormat Activation => ActivationFormat.Q8_K;

    /// <summary>The 6-bit quant (0–63) of value <paramref name="i"/> (0–255) of the block.</summary>
    internal static int Quant(byte* block, int i)
    {
        var half = i >> 7;
        var r = i & 127;
        var quarter = r >> 5;
        var l = r & 31;
        var ql = block + half * 64;
        var qh = block + 128 + half * 32;
        var low = quarter switch
        {
            0 => ql[l] & 15,
            1 => ql[l + 32] & 15,
            2 => ql[l] >> 4,
            _ => ql[l + 32] >> 4,
        };
        return low | (((qh[l] >> (2 * quarter)) & 3) << 4);
    }

    public static void Dequantize(byte* block, float* destination)
    {
        var d = HalfConversion.Read(block + 208);
        var scales = (sbyte*)(block + 192);
        for (var i = 0; i < 256; i++) destination[i] = d * scales[i >> 4] * (Quant(block, i) - 32);
    }

    public static void DequantizeFast(byte* block, float* destination) => Kernels.VectorDequantize.Q6_K(block, destination);

    public static float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount)
    {
        var sum = 0f;
        for (var b = 0; b < blockCount; b++)
        {
            var x = blocks + b * 210;
            var y = activations + b * ActivationQuantizer.Q8_KBytes;
            var scales = (sbyte*)(x + 192);
            var q8 = (sbyte*)(y + 4);
            var isum = 0;
            for (var g = 0; g < 16; g++)
            {
                var s = 0;
                for (var l = 0; l < 16; l++) s += (Quant(x, g * 16 + l) - 32) * q8[g * 16 + l];
                isum += scales[g] * s;
            }
            sum += *(float*)y * HalfConversion.Read(x + 208) * isum;
        }
        return sum;
    }

    public static float DotQuantized(byte* blocks, byte* activations, int blockCount) =>
        Kernels.IntegerDot.Q6_K(blocks, activations, blockCount);
}
