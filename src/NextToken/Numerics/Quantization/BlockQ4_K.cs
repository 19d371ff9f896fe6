using System.Runtime.CompilerServices;

namespace NextToken.Numerics.Quantization;

/// <summary>
/// Q4_K: 256 values in 8 groups of 32: f16 d, f16 dmin, u8 scales[12] (eight 6-bit scales and eight 6-bit mins),
/// u8 qs[128]; value = d · scale · q − dmin · min (144 bytes). Each 64 values take 32 bytes of qs: the low
/// nibbles are the first 32 values, the high nibbles the next 32.
/// </summary>
internal unsafe struct BlockQ4_K : IQuantizedBlock
{
    public static TensorType Type => TensorType.Q4_K;
    public static int BlockElements => 256;
    public static int BlockBytes => 144;
    public static ActivationFormat Activation => ActivationFormat.Q8_K;

    /// <summary>
    /// Scale and min of group <paramref name="j"/> (0–7) from the 12 packed bytes (GGML's get_scale_min_k4):
    /// groups 0–3 keep their 6 bits in bytes j and j + 4; groups 4–7 keep 4 bits in byte j + 4 and their top
    /// 2 bits in the spare top bits of bytes j − 4 and j.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleAndMin(int j, byte* packed, out int scale, out int min)
    {
        if (j < 4)
        {
            scale = packed[j] & 63;
            min = packed[j + 4] & 63;
        }
        else
        {
            scale = (packed[j + 4] & 15) | ((packed[j - 4] >> 6) << 4);
            min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
        }
    }

    /// <summary>
    /// All eight scales and mins at once, each as 8 bytes in a u64 (byte j is group j): the same unpacking as
    /// <see cref="ScaleAndMin"/> done on 32-bit words.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScalesAndMins(byte* packed, out ulong scales, out ulong mins)
    {
        var w0 = Unsafe.ReadUnaligned<uint>(packed);
        var w1 = Unsafe.ReadUnaligned<uint>(packed + 4);
        var w2 = Unsafe.ReadUnaligned<uint>(packed + 8);
        var highScales = (w2 & 0x0f0f0f0fu) | (((w0 >> 6) & 0x03030303u) << 4);
        var highMins = ((w2 >> 4) & 0x0f0f0f0fu) | (((w1 >> 6) & 0x03030303u) << 4);
        scales = (w0 & 0x3f3f3f3fu) | ((ulong)highScales << 32);
        mins = (w1 & 0x3f3f3f3fu) | ((ulong)highMins << 32);
    }

    public static void Dequantize(byte* block, float* destination)
    {
        var d = HalfConversion.Read(block);
        var dmin = HalfConversion.Read(block + 2);
        var q = block + 16;
        var y = destination;
        for (var j = 0; j < 8; j += 2, q += 32)
        {
            ScaleAndMin(j, block + 4, out var sc1, out var m1);
            ScaleAndMin(j + 1, block + 4, out var sc2, out var m2);
            float d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
            for (var l = 0; l < 32; l++) *y++ = d1 * (q[l] & 15) - min1;
            for (var l = 0; l < 32; l++) *y++ = d2 * (q[l] >> 4) - min2;
        }
    }

    public static void DequantizeFast(byte* block, float* destination) => Kernels.VectorDequantize.Q4_K(block, destination);

    public static float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount)
    {
        float sum = 0f, minTerms = 0f;
        for (var b = 0; b < blockCount; b++)
        {
            var x = blocks + b * 144;
            var y = activations + b * ActivationQuantizer.Q8_KBytes;
            var q = x + 16;
            var q8 = (sbyte*)(y + 4);
            var bsums = (short*)(y + 260);
            int isum = 0, mins = 0;
            for (var j = 0; j < 8; j += 2, q += 32)
            {
                ScaleAndMin(j, x + 4, out var sc1, out var m1);
                ScaleAndMin(j + 1, x + 4, out var sc2, out var m2);
                int s1 = 0, s2 = 0;
                for (var l = 0; l < 32; l++)
                {
                    s1 += (q[l] & 15) * q8[l];
                    s2 += (q[l] >> 4) * q8[l + 32];
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
        Kernels.IntegerDot.Q4_K(blocks, activations, blockCount);
}
