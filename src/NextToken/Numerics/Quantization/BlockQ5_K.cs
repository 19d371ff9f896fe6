namespace NextToken.Numerics.Quantization;

/// <summary>
/// Q5_K: 256 values in 8 groups of 32: f16 d, f16 dmin, u8 scales[12] (packed as in Q4_K), u8 qh[32] (fifth bits:
/// bit g of qh[l] belongs to value l of group g), u8 qs[128] (nibbles as in Q4_K); value = d · scale · q − dmin · min
/// (176 bytes).
/// </summary>
internal unsafe struct BlockQ5_K : IQuantizedBlock
{
    public static TensorType Type => TensorType.Q5_K;
    public static int BlockElements => 256;
    public static int BlockBytes => 176;
    public static ActivationFormat Activation => ActivationFormat.Q8_K;

    public static void Dequantize(byte* block, float* destination)
    {
        var d = HalfConversion.Read(block);
        var dmin = HalfConversion.Read(block + 2);
        var qh = block + 16;
        var q = block + 48;
        var y = destination;
        for (var j = 0; j < 8; j += 2, q += 32)
        {
            BlockQ4_K.ScaleAndMin(j, block + 4, out var sc1, out var m1);
            BlockQ4_K.ScaleAndMin(j + 1, block + 4, out var sc2, out var m2);
            float d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
            for (var l = 0; l < 32; l++) *y++ = d1 * ((q[l] & 15) + (((qh[l] >> j) & 1) << 4)) - min1;
            for (var l = 0; l < 32; l++) *y++ = d2 * ((q[l] >> 4) + (((qh[l] >> (j + 1)) & 1) << 4)) - min2;
        }
    }

    public static void DequantizeFast(byte* block, float* destination) => Kernels.VectorDequantize.Q5_K(block, destination);

    public static float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount)
    {
        float sum = 0f, minTerms = 0f;
        for (var b = 0; b < blockCount; b++)
        {
            var x = blocks + b * 176;
            var y = activations + b * ActivationQuantizer.Q8_KBytes;
            var qh = x + 16;
            var q = x + 48;
            var q8 = (sbyte*)(y + 4);
            var bsums = (short*)(y + 260);
            int isum = 0, mins = 0;
            for (var j = 0; j < 8; j += 2, q += 32)
            {
                BlockQ4_K.ScaleAndMin(j, x + 4, out var sc1, out var m1);
                BlockQ4_K.ScaleAndMin(j + 1, x + 4, out var sc2, out var m2);
                int s1 = 0, s2 = 0;
                for (var l = 0; l < 32; l++)
                {
                    s1 += ((q[l] & 15) + (((qh[l] >> j) & 1) << 4)) * q8[l];
                    s2 += ((q[l] >> 4) + (((qh[l] >> (j + 1)) & 1) << 4)) * q8[l + 32];
                }
                q8 += 64;
                isum += sc1 * s1 + sc2 * s2;
                mins += m1 * (bsums[2 * j] + bsums[2 * j + 1]) + m2 * (bsums[2 * j + 2] + bsums[2 * j + 3]);
            }
            var dy = *(float*)y;
            sum += dy * HalfConversion.Read(x) * isum;
            minTerms = MathF.FusedMultiplyAdd(-dy * HalfConversion.Read(x + 2), mins, minTerms);
        }
        return sum + minTerms;
    }

    public static float DotQuantized(byte* blocks, byte* activations, int blockCount) =>
        Kernels.IntegerDot.Q5_K(blocks, activations, blockCount);
}
