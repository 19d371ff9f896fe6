using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NextToken.Numerics.Quantization;

namespace NextToken.Numerics.Kernels;

/// <summary>
/// Vectorised block decoding for the prompt path, where weight tiles are decoded to floats once per many tokens.
/// Each writes bit for bit what its block type's scalar <c>Dequantize</c> writes (same operations in the same order).
/// Types without a vector version fall back to the scalar one.
/// </summary>
internal static unsafe class VectorDequantize
{
    /// <summary>y[0..32) = q·scaleLow for the first 16 values and q·scaleHigh for the next 16, minus <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store32(Vector256<sbyte> q, float scaleLow, float scaleHigh, float offset, float* y, bool subtract)
    {
        var (low, high) = Vector256.Widen(q);
        var (a, b) = Vector256.Widen(low);
        var (c, d) = Vector256.Widen(high);
        var s0 = Vector256.Create(scaleLow);
        var s1 = Vector256.Create(scaleHigh);
        var fa = Vector256.ConvertToSingle(a) * s0;
        var fb = Vector256.ConvertToSingle(b) * s0;
        var fc = Vector256.ConvertToSingle(c) * s1;
        var fd = Vector256.ConvertToSingle(d) * s1;
        if (subtract)
        {
            var m = Vector256.Create(offset);
            fa -= m; fb -= m; fc -= m; fd -= m;
        }
        fa.Store(y);
        fb.Store(y + 8);
        fc.Store(y + 16);
        fd.Store(y + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Nibbles(byte* p)
    {
        var v = Vector128.Load(p);
        var mask = Vector128.Create((byte)0x0F);
        return Vector256.Create(v & mask, (v.AsUInt16() >> 4).AsByte() & mask);
    }

    public static void Q8_0(byte* block, float* y)
    {
        if (!Vector256.IsHardwareAccelerated) { BlockQ8_0.Dequantize(block, y); return; }
        var d = HalfConversion.Read(block);
        Store32(Vector256.Load((sbyte*)(block + 2)), d, d, 0, y, subtract: false);
    }

    public static void Q4_0(byte* block, float* y)
    {
        if (!Vector256.IsHardwareAccelerated) { BlockQ4_0.Dequantize(block, y); return; }
        var d = HalfConversion.Read(block);
        Store32((Nibbles(block + 2) - Vector256.Create((byte)8)).AsSByte(), d, d, 0, y, subtract: false);
    }

    public static void Q4_K(byte* block, float* y)
    {
        if (!Vector256.IsHardwareAccelerated) { BlockQ4_K.Dequantize(block, y); return; }
        var d = HalfConversion.Read(block);
        var dmin = HalfConversion.Read(block + 2);
        var mask = Vector256.Create((byte)0x0F);
        for (var c = 0; c < 4; c++)
        {
            BlockQ4_K.ScaleAndMin(2 * c, block + 4, out var sc1, out var m1);
            BlockQ4_K.ScaleAndMin(2 * c + 1, block + 4, out var sc2, out var m2);
            var q = Vector256.Load(block + 16 + 32 * c);
            float d1 = d * sc1, d2 = d * sc2;
            Store32((q & mask).AsSByte(), d1, d1, dmin * m1, y + 64 * c, subtract: true);
            Store32(((q.AsUInt16() >> 4).AsByte() & mask).AsSByte(), d2, d2, dmin * m2, y + 64 * c + 32, subtract: true);
        }
    }

    public static void Q5_K(byte* block, float* y)
    {
        if (!Vector256.IsHardwareAccelerated) { BlockQ5_K.Dequantize(block, y); return; }
        var d = HalfConversion.Read(block);
        var dmin = HalfConversion.Read(block + 2);
        var mask = Vector256.Create((byte)0x0F);
        var one = Vector256.Create((byte)1);
        var qh = Vector256.Load(block + 16).AsUInt16();
        for (var c = 0; c < 4; c++)
        {
            BlockQ4_K.ScaleAndMin(2 * c, block + 4, out var sc1, out var m1);
            BlockQ4_K.ScaleAndMin(2 * c + 1, block + 4, out var sc2, out var m2);
            var q = Vector256.Load(block + 48 + 32 * c);
            var high1 = (((qh >> (2 * c)).AsByte() & one).AsUInt16() << 4).AsByte();
            var high2 = (((qh >> (2 * c + 1)).AsByte() & one).AsUInt16() << 4).AsByte();
            float d1 = d * sc1, d2 = d * sc2;
            Store32(((q & mask) | high1).AsSByte(), d1, d1, dmin * m1, y + 64 * c, subtract: true);
            Store32((((q.AsUInt16() >> 4).AsByte() & mask) | high2).AsSByte(), d2, d2, dmin * m2, y + 64 * c + 32, subtract: true);
        }
    }

    public static void Q6_K(byte* block, float* y)
    {
        if (!Vector256.IsHardwareAccelerated) { BlockQ6_K.Dequantize(block, y); return; }
        var d = HalfConversion.Read(block + 208);
        var scales = (sbyte*)(block + 192);
        var low4 = Vector256.Create((byte)0x0F);
        var low2 = Vector256.Create((ushort)0x0303);
        var bias = Vector256.Create((byte)32);
        for (var half = 0; half < 2; half++)
        {
            var ql0 = Vector256.Load(block + 64 * half);
            var ql1 = Vector256.Load(block + 64 * half + 32);
            var qh = Vector256.Load(block + 128 + 32 * half).AsUInt16();
            var q1 = (ql0 & low4) | ((qh & low2) << 4).AsByte();
            var q2 = (ql1 & low4) | (((qh >> 2) & low2) << 4).AsByte();
            var q3 = ((ql0.AsUInt16() >> 4).AsByte() & low4) | (((qh >> 4) & low2) << 4).AsByte();
            var q4 = ((ql1.AsUInt16() >> 4).AsByte() & low4) | (((qh >> 6) & low2) << 4).AsByte();
            var s = scales + 8 * half;
            var out0 = y + 128 * half;
            Store32((q1 - bias).AsSByte(), d * s[0], d * s[1], 0, out0, subtract: false);
            Store32((q2 - bias).AsSByte(), d * s[2], d * s[3], 0, out0 + 32, subtract: false);
            Store32((q3 - bias).AsSByte(), d * s[4], d * s[5], 0, out0 + 64, subtract: false);
            Store32((q4 - bias).AsSByte(), d * s[6], d * s[7], 0, out0 + 96, subtract: false);
        }
    }
}
