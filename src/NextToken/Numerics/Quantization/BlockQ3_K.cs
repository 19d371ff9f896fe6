using System.Runtime.CompilerServices;

namespace NextToken.Numerics.Quantization;

/// <summary>
/// Q3_K: 256 values in 16 groups of 16: u8 hmask[32] (the third bit, set means +0, clear means −4), u8 qs[64]
/// (low 2 bits, ordered as in Q2_K), u8 scales[12] (sixteen 6-bit scales, biased by 32), f16 d;
/// value = d · (scale − 32) · q (110 bytes).
/// </summary>
internal unsafe struct BlockQ3_K : IQuantizedBlock
{
    public static TensorType Type => TensorType.Q3_K;
    public static int BlockElements => 256;
    public static int BlockBytes => 110;
    public static ActivationFormat Activation => ActivationFormat.Q8_K;

    /// <summary>Unpacks the twelve scale bytes to sixteen signed scales (already minus 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void UnpackScales(byte* packed, sbyte* scales)
    {
        // Bytes 0–7 hold the low 4 bits (scale j in byte j%8, nibble j/8); bytes 8–11 hold the high 2 bits (scale j in byte 8 + j%4, bits 2·(j/4)).
        for (var j = 0; j < 16; j++)
        {
            var low = (packed[j & 7] >> (4 * (j >> 3))) & 15;
            var high = (packed[8 + (j & 3)] >> (2 * (j >> 2))) & 3;
            scales[j] = (sbyte)((low | (high << 4)) - 32);
        }
    }

    /// <summary>The same sixteen scales as <see cref="UnpackScales"/>, computed four at a time on 32-bit words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void UnpackScalesWords(byte* packed, sbyte* scales)
    {
        var a0 = Unsafe.ReadUnaligned<uint>(packed);
        var a1 = Unsafe.ReadUnaligned<uint>(packed + 4);
        var t = Unsafe.ReadUnaligned<uint>(packed + 8);
        const uint low4 = 0x0f0f0f0f, low2 = 0x03030303, bias = 0x20202020;
        // Each byte is 0–63 before the bias of 32 comes off (see SubtractBias).
        Unsafe.WriteUnaligned(scales, SubtractBias((a0 & low4) | ((t & low2) << 4), bias));
        Unsafe.WriteUnaligned(scales + 4, SubtractBias((a1 & low4) | (((t >> 2) & low2) << 4), bias));
        Unsafe.WriteUnaligned(scales + 8, SubtractBias(((a0 >> 4) & low4) | (((t >> 4) & low2) << 4), bias));
        Unsafe.WriteUnaligned(scales + 12, SubtractBias(((a1 >> 4) & low4) | (((t >> 6) & low2) << 4), bias));
    }

    /// <summary>Subtracts <paramref name="bias"/> from each byte of <paramref name="v"/> modulo 256, with no borrow between bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint SubtractBias(uint v, uint bias) => ((v | 0x80808080u) - bias) ^ 0x80808080u;

    public static void Dequantize(byte* block, float* destination)
    {
        var hmask = block;
        var q = block + 32;
        var scales = stackalloc sbyte[16];
        UnpackScales(block + 96, scales);
        var d = HalfConversion.Read(block + 108);
        var y = destination;
        var group = 0;
        var bit = 1;
        for (var half = 0; half < 2; half++, q += 32)
            for (var shift = 0; shift < 8; shift += 2, bit <<= 1)
                for (var part = 0; part < 2; part++, group++)
                {
                    var dl = d * scales[group];
                    for (var l = 0; l < 16; l++)
                    {
                        var i = part * 16 + l;
                        *y++ = dl * (((q[i] >> shift) & 3) - ((hmask[i] & bit) != 0 ? 0 : 4));
                    }
                }
    }

    public static void DequantizeFast(byte* block, float* destination) => Dequantize(block, destination);

    public static float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount)
    {
        var sum = 0f;
        var scales = stackalloc sbyte[16];
        for (var b = 0; b < blockCount; b++)
        {
            var x = blocks + b * 110;
            var y = activations + b * ActivationQuantizer.Q8_KBytes;
            var hmask = x;
            var q = x + 32;
            var q8 = (sbyte*)(y + 4);
            UnpackScales(x + 96, scales);
            var isum = 0;
            var group = 0;
            var bit = 1;
            for (var half = 0; half < 2; half++, q += 32)
                for (var shift = 0; shift < 8; shift += 2, bit <<= 1)
                    for (var part = 0; part < 2; part++, group++, q8 += 16)
                    {
                        var s = 0;
                        for (var l = 0; l < 16; l++)
                        {
                            var i = part * 16 + l;
                            s += q8[l] * (((q[i] >> shift) & 3) - ((hmask[i] & bit) != 0 ? 0 : 4));
                        }
                        isum += scales[group] * s;
                    }
            sum += *(float*)y * HalfConversion.Read(x + 108) * isum;
        }
        return sum;
    }

    public static float DotQuantized(byte* blocks, byte* activations, int blockCount) =>
        Kernels.IntegerDot.Q3_K(blocks, activations, blockCount);
}
