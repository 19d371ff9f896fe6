using System.Runtime.CompilerServices;

namespace NextToken.Numerics.Quantization;

/// <summary>
/// IEEE half (F16) and bfloat16 (BF16) conversions, bit for bit as GGML does them: half ↔ float exactly with
/// round-to-nearest-even on the way down; bfloat16 is the top half of a float, rounded to nearest even on the way down.
/// </summary>
internal static class HalfConversion
{
    private const float TwoPow112 = 5.192296858534828e33f; // 2^(127 - 15): moves a half exponent to a float exponent

    /// <summary>Half bits → float. Normal and subnormal halves become exact floats; infinities and NaNs stay so.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort half)
    {
        var sign = (uint)(half & 0x8000) << 16;
        var magnitude = (uint)(half & 0x7fff);
        if (magnitude >= 0x7c00) // infinity or NaN: keep the payload
            return BitConverter.UInt32BitsToSingle(sign | 0x7f800000 | ((magnitude & 0x3ff) << 13));
        // Shifting the 15 magnitude bits into place gives a float 2^112 too small, for subnormals too.
        var value = BitConverter.UInt32BitsToSingle(magnitude << 13) * TwoPow112;
        return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(value) | sign);
    }

    /// <summary>Float → half bits, rounded to nearest even (what GGML's FP32→FP16 and F16C do).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort ToHalf(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>Float rounded through half precision and back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundToHalf(float value) => ToSingle(ToHalf(value));

    /// <summary>BF16 bits → float: the bits are the top 16 bits of the float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BFloat16ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Float → BF16 bits, rounded to nearest even; NaNs stay quiet NaNs (GGML's rule).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort ToBFloat16(float value)
    {
        var u = BitConverter.SingleToUInt32Bits(value);
        if ((u & 0x7fffffff) > 0x7f800000) return (ushort)((u >> 16) | 64);
        return (ushort)((u + (0x7fff + ((u >> 16) & 1))) >> 16);
    }

    /// <summary>
    /// Every half's float value (256 KB, pinned), for the block scales read in hot loops: one load instead of the
    /// dozen instructions of <see cref="ToSingle"/>, which filled it.
    /// </summary>
    private static readonly float[] TableArray = CreateTable();
    private static readonly unsafe float* Table = (float*)Unsafe.AsPointer(ref TableArray[0]);

    private static float[] CreateTable()
    {
        var table = GC.AllocateUninitializedArray<float>(65536, pinned: true);
        for (var i = 0; i < table.Length; i++) table[i] = ToSingle((ushort)i);
        return table;
    }

    /// <summary>Reads little-endian half bits at <paramref name="p"/> as a float, by table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe float ReadFast(byte* p) => Table[Unsafe.ReadUnaligned<ushort>(p)];

    /// <summary>Reads little-endian half bits at <paramref name="p"/> as a float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe float Read(byte* p) => ToSingle(Unsafe.ReadUnaligned<ushort>(p));
}
