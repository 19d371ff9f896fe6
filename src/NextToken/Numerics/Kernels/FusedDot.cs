using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NextToken.Numerics.Quantization;

namespace NextToken.Numerics.Kernels;

// Performance notes. Exact-arithmetic decode (one token) used to dequantize each weight row into a float buffer and
// then run FloatDot.F32 over it: two passes and a row of float stores and loads per weight row. Here each block's
// quants are widened to floats in registers and multiplied with the float activations (which stay in L1), summed per
// block (or per sub-block of one scale), and the scale is applied once per block: acc = FMA(Σ q·x, d, acc).
// Minimum terms (Q4_K, Q5_K, Q4_1, Q5_1) need Σx per 32-value sub-block, computed once per product and token.
// Measured on TinyLlama-1.1B shapes (2048/5632, 22 layers), Zen 5 AVX2, decode tok/s 2 threads (1 thread):
// Q8_0 6.6 (3.8) → 11.6 (6.8), Q4_0 5.1 (3.3) → 11.3 (7.0); the buffer round trip was the bottleneck, not memory.
// Per-block overhead then dominated the 32-value types: reading d by table (HalfConversion.ReadFast, a few hot entries
// stay in L1) instead of the bit-twiddling conversion, and two blocks per iteration into two accumulators, gave
// Q8_0 13.9 (8.5) and Q4_0 15.5 (8.1); the int8 path does 15.8 and 13.6 on 2 threads.
// K-quants: unpacking all eight Q4_K scales and mins at once (min terms as one vector FMA with the activation sums
// per block) instead of per sub-block took Q4_K from 9.6 (4.6) to 13.6 (8.5); before fusing it was 5.2 (3.0), int8
// does 17.8. Q6_K assembles its 6-bit quants 32 at a time in bytes and widens them afterwards: 7.6 with the quants
// built in 32-bit lanes, 10.1 this way (4.6 before fusing; int8 14.4).
// Tried and dropped: Q8_0 widened from one 32-byte load by register shuffles (8.5 → 7.3 on one thread: widening
// straight from memory wins here), and two Q8_0 rows per pass sharing the activation loads (8.5 → 5.7).
// The results equal dequantize-then-dot up to float summation order (d·Σq·x instead of Σ(d·q)·x).

/// <summary>
/// Fused dequantize-and-dot of one block-quantized weight row with a float activation row, for exact arithmetic.
/// Supported types are listed by <see cref="Supports{TBlock}"/>; the rest go through dequantize-then-dot.
/// Each is tested against <see cref="QuantizedRowKernels.DequantizeRow{TBlock}"/> followed by a plain dot product.
/// </summary>
internal static unsafe class FusedDot
{
    /// <summary>Values per sub-block whose activation sums <see cref="ActivationSums"/> writes.</summary>
    public const int SumBlock = 32;

    /// <summary>Whether <typeparamref name="TBlock"/> has a fused kernel on this machine.</summary>
    public static bool Supports<TBlock>() where TBlock : IQuantizedBlock =>
        Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported &&
        (typeof(TBlock) == typeof(BlockQ8_0) || typeof(TBlock) == typeof(BlockQ4_0) ||
         typeof(TBlock) == typeof(BlockQ4_1) || typeof(TBlock) == typeof(BlockQ5_0) || typeof(TBlock) == typeof(BlockQ5_1) ||
         typeof(TBlock) == typeof(BlockQ4_K) || typeof(TBlock) == typeof(BlockQ5_K) || typeof(TBlock) == typeof(BlockQ6_K));

    /// <summary>Whether the kernel for <typeparamref name="TBlock"/> reads per-sub-block activation sums.</summary>
    public static bool NeedsSums<TBlock>() where TBlock : IQuantizedBlock =>
        typeof(TBlock) == typeof(BlockQ4_0) || typeof(TBlock) == typeof(BlockQ4_1) || typeof(TBlock) == typeof(BlockQ5_1) ||
        typeof(TBlock) == typeof(BlockQ4_K) || typeof(TBlock) == typeof(BlockQ5_K);

    /// <summary>sums[k] = Σ x[32k .. 32k+32) for every full sub-block of <paramref name="x"/>.</summary>
    public static void ActivationSums(float* x, int columns, float* sums)
    {
        for (var k = 0; k < columns / SumBlock; k++)
        {
            var p = x + k * SumBlock;
            sums[k] = Vector256.Sum((Vector256.Load(p) + Vector256.Load(p + 8)) + (Vector256.Load(p + 16) + Vector256.Load(p + 24)));
        }
    }

    /// <summary>
    /// Σ w[i]·x[i] over <paramref name="blocks"/> blocks of <typeparamref name="TBlock"/> at <paramref name="row"/>;
    /// <paramref name="sums"/> holds <see cref="ActivationSums"/> of <paramref name="x"/> when <see cref="NeedsSums{TBlock}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Row<TBlock>(byte* row, float* x, float* sums, int blocks) where TBlock : IQuantizedBlock
    {
        if (typeof(TBlock) == typeof(BlockQ8_0)) return Q8_0(row, x, blocks);
        if (typeof(TBlock) == typeof(BlockQ4_0)) return Q4_0(row, x, sums, blocks);
        if (typeof(TBlock) == typeof(BlockQ4_1)) return Q4_1(row, x, sums, blocks);
        if (typeof(TBlock) == typeof(BlockQ5_0)) return Q5_0(row, x, blocks);
        if (typeof(TBlock) == typeof(BlockQ5_1)) return Q5_1(row, x, sums, blocks);
        if (typeof(TBlock) == typeof(BlockQ4_K)) return Q4_K(row, x, sums, blocks);
        if (typeof(TBlock) == typeof(BlockQ5_K)) return Q5_K(row, x, sums, blocks);
        if (typeof(TBlock) == typeof(BlockQ6_K)) return Q6_K(row, x, blocks);
        throw new NotSupportedException($"no fused kernel for {TBlock.Type}");
    }

    /// <summary>Eight signed bytes at <paramref name="p"/> as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Signed8(sbyte* p) => Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(p));

    /// <summary>Eight unsigned bytes at <paramref name="p"/> as 32-bit integers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Unsigned8(byte* p) => Avx2.ConvertToVector256Int32(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ToSingle(Vector256<int> v) => Avx.ConvertToVector256Single(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma8(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);

    /// <summary>Σ q·x over one Q8_0 block's 32 quants at <paramref name="q"/>, in eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> BlockQ8(sbyte* q, float* x)
    {
        var s0 = Signed8(q) * Vector256.Load(x);
        var s1 = Signed8(q + 8) * Vector256.Load(x + 8);
        s0 = Fma8(Signed8(q + 16), Vector256.Load(x + 16), s0);
        s1 = Fma8(Signed8(q + 24), Vector256.Load(x + 24), s1);
        return s0 + s1;
    }

    /// <summary>Q8_0: Σ_b d_b · Σ_j q_j·x_j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q8_0(byte* row, float* x, int blocks)
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
        var b = 0;
        for (; b + 2 <= blocks; b += 2, row += 68, x += 64)
        {
            Prefetch.Ahead(row);
            acc0 = Fma8(BlockQ8((sbyte*)(row + 2), x), Vector256.Create(HalfConversion.ReadFast(row)), acc0);
            acc1 = Fma8(BlockQ8((sbyte*)(row + 36), x + 32), Vector256.Create(HalfConversion.ReadFast(row + 34)), acc1);
        }
        if (b < blocks) acc0 = Fma8(BlockQ8((sbyte*)(row + 2), x), Vector256.Create(HalfConversion.ReadFast(row)), acc0);
        return Vector256.Sum(acc0 + acc1);
    }

    /// <summary>Σ q·x over one Q4_0 block's 16 bytes of nibbles at <paramref name="q"/> (q unsigned, 0–15), in eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> BlockQ4(byte* q, float* x)
    {
        var mask = Vector256.Create(15);
        var v0 = Unsigned8(q);
        var v1 = Unsigned8(q + 8);
        var s0 = ToSingle(v0 & mask) * Vector256.Load(x);
        var s1 = ToSingle(v1 & mask) * Vector256.Load(x + 8);
        s0 = Fma8(ToSingle(v0 >>> 4), Vector256.Load(x + 16), s0);
        s1 = Fma8(ToSingle(v1 >>> 4), Vector256.Load(x + 24), s1);
        return s0 + s1;
    }

    /// <summary>
    /// Q4_0: value j = d·(low nibble − 8), value 16+j = d·(high nibble − 8) of byte j, so a block's dot is
    /// d·Σq·x − 8·d·Σx with Σx from <paramref name="sums"/>: the offset costs one scalar step per block instead of a
    /// subtraction per eight values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_0(byte* row, float* x, float* sums, int blocks)
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
        float offset0 = 0, offset1 = 0;
        var b = 0;
        for (; b + 2 <= blocks; b += 2, row += 36, x += 64)
        {
            Prefetch.Ahead(row);
            var d0 = HalfConversion.ReadFast(row);
            var d1 = HalfConversion.ReadFast(row + 18);
            acc0 = Fma8(BlockQ4(row + 2, x), Vector256.Create(d0), acc0);
            acc1 = Fma8(BlockQ4(row + 20, x + 32), Vector256.Create(d1), acc1);
            offset0 = MathF.FusedMultiplyAdd(d0, sums[b], offset0);
            offset1 = MathF.FusedMultiplyAdd(d1, sums[b + 1], offset1);
        }
        if (b < blocks)
        {
            var d = HalfConversion.ReadFast(row);
            acc0 = Fma8(BlockQ4(row + 2, x), Vector256.Create(d), acc0);
            offset0 = MathF.FusedMultiplyAdd(d, sums[b], offset0);
        }
        return Vector256.Sum(acc0 + acc1) - 8 * (offset0 + offset1);
    }

    /// <summary>
    /// Σ q·x over one 32-value block of nibbles at <paramref name="q"/> (value j low nibble of byte j, value 16+j its
    /// high nibble), with bit 4 of value j taken from bit j of <paramref name="qh"/> when <paramref name="fifthBit"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> BlockNibbles(byte* q, uint qh, float* x, bool fifthBit, int offset)
    {
        var mask = Vector256.Create(15);
        var v0 = Unsigned8(q);
        var v1 = Unsigned8(q + 8);
        var q0 = v0 & mask;
        var q1 = v1 & mask;
        var q2 = v0 >>> 4;
        var q3 = v1 >>> 4;
        if (fifthBit)
        {
            var bits = Vector256.Create(qh);
            var one = Vector256.Create(1u);
            var lane = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
            q0 |= ((Avx2.ShiftRightLogicalVariable(bits, lane) & one) << 4).AsInt32();
            q1 |= ((Avx2.ShiftRightLogicalVariable(bits, lane + Vector256.Create(8u)) & one) << 4).AsInt32();
            q2 |= ((Avx2.ShiftRightLogicalVariable(bits, lane + Vector256.Create(16u)) & one) << 4).AsInt32();
            q3 |= ((Avx2.ShiftRightLogicalVariable(bits, lane + Vector256.Create(24u)) & one) << 4).AsInt32();
        }
        if (offset != 0)
        {
            var o = Vector256.Create(offset);
            q0 -= o; q1 -= o; q2 -= o; q3 -= o;
        }
        var s0 = ToSingle(q0) * Vector256.Load(x);
        var s1 = ToSingle(q1) * Vector256.Load(x + 8);
        s0 = Fma8(ToSingle(q2), Vector256.Load(x + 16), s0);
        s1 = Fma8(ToSingle(q3), Vector256.Load(x + 24), s1);
        return s0 + s1;
    }

    /// <summary>Q4_1: value = d·q + m, so a block's dot is d·Σq·x + m·Σx.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_1(byte* row, float* x, float* sums, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var minTerms = 0f;
        for (var b = 0; b < blocks; b++, row += 20, x += 32)
        {
            Prefetch.Ahead(row);
            acc = Fma8(BlockNibbles(row + 4, 0, x, fifthBit: false, offset: 0), Vector256.Create(HalfConversion.ReadFast(row)), acc);
            minTerms += HalfConversion.ReadFast(row + 2) * sums[b];
        }
        return Vector256.Sum(acc) + minTerms;
    }

    /// <summary>Q5_0: value = d·(q − 16), q's fifth bit from the block's 32-bit qh.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_0(byte* row, float* x, int blocks)
    {
        var acc = Vector256<float>.Zero;
        for (var b = 0; b < blocks; b++, row += 22, x += 32)
        {
            Prefetch.Ahead(row);
            acc = Fma8(BlockNibbles(row + 6, Unsafe.ReadUnaligned<uint>(row + 2), x, fifthBit: true, offset: 16),
                Vector256.Create(HalfConversion.ReadFast(row)), acc);
        }
        return Vector256.Sum(acc);
    }

    /// <summary>Q5_1: value = d·q + m, q's fifth bit from the block's 32-bit qh.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_1(byte* row, float* x, float* sums, int blocks)
    {
        var acc = Vector256<float>.Zero;
        var minTerms = 0f;
        for (var b = 0; b < blocks; b++, row += 24, x += 32)
        {
            Prefetch.Ahead(row);
            acc = Fma8(BlockNibbles(row + 8, Unsafe.ReadUnaligned<uint>(row + 4), x, fifthBit: true, offset: 0),
                Vector256.Create(HalfConversion.ReadFast(row)), acc);
            minTerms += HalfConversion.ReadFast(row + 2) * sums[b];
        }
        return Vector256.Sum(acc) + minTerms;
    }

    /// <summary>The eight bytes of <paramref name="bytes"/> (byte j is lane j) as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Bytes8(ulong bytes) => ToSingle(Avx2.ConvertToVector256Int32(Vector128.CreateScalar(bytes).AsByte()));

    /// <summary>
    /// Q5_K: Q4_K with a fifth bit per value: bit j of qh[l] belongs to value l of sub-block j.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_K(byte* row, float* x, float* sums, int blocks)
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero, minAcc = Vector256<float>.Zero;
        var mask = Vector256.Create(15);
        var one = Vector256.Create(1);
        var scaleOf = stackalloc float[8];
        for (var b = 0; b < blocks; b++, row += 176, x += 256, sums += 8)
        {
            Prefetch.Ahead(row);
            Prefetch.Ahead(row + 64);
            Prefetch.Ahead(row + 128);
            BlockQ4_K.ScalesAndMins(row + 4, out var scales, out var mins);
            (Bytes8(scales) * Vector256.Create(HalfConversion.ReadFast(row))).Store(scaleOf);
            minAcc = Fma8(Bytes8(mins) * Vector256.Create(HalfConversion.ReadFast(row + 2)), Vector256.Load(sums), minAcc);
            var qh = row + 16;
            for (var c = 0; c < 4; c++)
            {
                var q = row + 48 + 32 * c;
                var xc = x + 64 * c;
                Vector256<float> lo = default, hi = default;
                for (var k = 0; k < 32; k += 8)
                {
                    var v = Unsigned8(q + k);
                    var h = Unsigned8(qh + k);
                    var low = (v & mask) | (((h >>> (2 * c)) & one) << 4);
                    var high = (v >>> 4) | (((h >>> (2 * c + 1)) & one) << 4);
                    lo = Fma8(ToSingle(low), Vector256.Load(xc + k), lo);
                    hi = Fma8(ToSingle(high), Vector256.Load(xc + 32 + k), hi);
                }
                acc0 = Fma8(lo, Vector256.Create(scaleOf[2 * c]), acc0);
                acc1 = Fma8(hi, Vector256.Create(scaleOf[2 * c + 1]), acc1);
            }
        }
        return Vector256.Sum(acc0 + acc1) - Vector256.Sum(minAcc);
    }

    /// <summary>
    /// Q4_K: sub-block j of 32 values is d·sc_j·q − dmin·m_j, so its dot is d·sc_j·Σq·x − dmin·m_j·Σx, with Σx from
    /// <paramref name="sums"/>. Bytes 32c..32c+32 hold sub-block 2c in their low nibbles and 2c+1 in their high ones.
    /// The eight scales and mins are unpacked together and the min terms summed in a vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_K(byte* row, float* x, float* sums, int blocks)
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero, minAcc = Vector256<float>.Zero;
        var mask = Vector256.Create(15);
        var scaleOf = stackalloc float[8];
        for (var b = 0; b < blocks; b++, row += 144, x += 256, sums += 8)
        {
            Prefetch.Ahead(row);
            Prefetch.Ahead(row + 64);
            Prefetch.Ahead(row + 128);
            BlockQ4_K.ScalesAndMins(row + 4, out var scales, out var mins);
            (Bytes8(scales) * Vector256.Create(HalfConversion.ReadFast(row))).Store(scaleOf);
            minAcc = Fma8(Bytes8(mins) * Vector256.Create(HalfConversion.ReadFast(row + 2)), Vector256.Load(sums), minAcc);
            for (var c = 0; c < 4; c++)
            {
                var q = row + 16 + 32 * c;
                var xc = x + 64 * c;
                var v0 = Unsigned8(q);
                var v1 = Unsigned8(q + 8);
                var v2 = Unsigned8(q + 16);
                var v3 = Unsigned8(q + 24);
                var lo0 = ToSingle(v0 & mask) * Vector256.Load(xc);
                var lo1 = ToSingle(v1 & mask) * Vector256.Load(xc + 8);
                var hi0 = ToSingle(v0 >>> 4) * Vector256.Load(xc + 32);
                var hi1 = ToSingle(v1 >>> 4) * Vector256.Load(xc + 40);
                lo0 = Fma8(ToSingle(v2 & mask), Vector256.Load(xc + 16), lo0);
                lo1 = Fma8(ToSingle(v3 & mask), Vector256.Load(xc + 24), lo1);
                hi0 = Fma8(ToSingle(v2 >>> 4), Vector256.Load(xc + 48), hi0);
                hi1 = Fma8(ToSingle(v3 >>> 4), Vector256.Load(xc + 56), hi1);
                acc0 = Fma8(lo0 + lo1, Vector256.Create(scaleOf[2 * c]), acc0);
                acc1 = Fma8(hi0 + hi1, Vector256.Create(scaleOf[2 * c + 1]), acc1);
            }
        }
        return Vector256.Sum(acc0 + acc1) - Vector256.Sum(minAcc);
    }

    /// <summary>
    /// Σ q·x over 32 signed bytes split in halves: the first 16 values' sum in <paramref name="first"/>, the next 16's
    /// in <paramref name="second"/> (each eight lanes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot32Halves(Vector256<sbyte> q, float* x, out Vector256<float> first, out Vector256<float> second)
    {
        var low = q.GetLower();
        var high = q.GetUpper();
        first = Fma8(ToSingle(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(low, 8))), Vector256.Load(x + 8),
            ToSingle(Avx2.ConvertToVector256Int32(low)) * Vector256.Load(x));
        second = Fma8(ToSingle(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(high, 8))), Vector256.Load(x + 24),
            ToSingle(Avx2.ConvertToVector256Int32(high)) * Vector256.Load(x + 16));
    }

    /// <summary>
    /// Q6_K: value i = d·scale[i/16]·(q_i − 32), q_i 6 bits split over ql (low 4) and qh (high 2). In each half of
    /// 128 values, byte l of ql[0..32), ql[32..64) and qh[0..32) gives values l, 32+l, 64+l and 96+l. The 6-bit quants
    /// are assembled 32 at a time in bytes (as <see cref="VectorDequantize.Q6_K"/> does) and only then widened.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q6_K(byte* row, float* x, int blocks)
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
        var low4 = Vector256.Create((byte)0x0F);
        var low2 = Vector256.Create((ushort)0x0303);
        var bias = Vector256.Create((byte)32);
        var scaleOf = stackalloc float[16];
        for (var b = 0; b < blocks; b++, row += 210, x += 256)
        {
            Prefetch.Ahead(row);
            Prefetch.Ahead(row + 64);
            Prefetch.Ahead(row + 128);
            Prefetch.Ahead(row + 192);
            var d = Vector256.Create(HalfConversion.ReadFast(row + 208));
            (Signed8((sbyte*)(row + 192)) * d).Store(scaleOf);
            (Signed8((sbyte*)(row + 200)) * d).Store(scaleOf + 8);
            for (var half = 0; half < 2; half++)
            {
                var ql0 = Vector256.Load(row + 64 * half);
                var ql1 = Vector256.Load(row + 64 * half + 32);
                var qh = Vector256.Load(row + 128 + 32 * half).AsUInt16();
                var q1 = (ql0 & low4) | ((qh & low2) << 4).AsByte();
                var q2 = (ql1 & low4) | (((qh >> 2) & low2) << 4).AsByte();
                var q3 = ((ql0.AsUInt16() >> 4).AsByte() & low4) | (((qh >> 4) & low2) << 4).AsByte();
                var q4 = ((ql1.AsUInt16() >> 4).AsByte() & low4) | (((qh >> 6) & low2) << 4).AsByte();
                var xh = x + 128 * half;
                var s = scaleOf + 8 * half;
                Dot32Halves((q1 - bias).AsSByte(), xh, out var p0, out var p1);
                acc0 = Fma8(p0, Vector256.Create(s[0]), acc0);
                acc1 = Fma8(p1, Vector256.Create(s[1]), acc1);
                Dot32Halves((q2 - bias).AsSByte(), xh + 32, out p0, out p1);
                acc0 = Fma8(p0, Vector256.Create(s[2]), acc0);
                acc1 = Fma8(p1, Vector256.Create(s[3]), acc1);
                Dot32Halves((q3 - bias).AsSByte(), xh + 64, out p0, out p1);
                acc0 = Fma8(p0, Vector256.Create(s[4]), acc0);
                acc1 = Fma8(p1, Vector256.Create(s[5]), acc1);
                Dot32Halves((q4 - bias).AsSByte(), xh + 96, out p0, out p1);
                acc0 = Fma8(p0, Vector256.Create(s[6]), acc0);
                acc1 = Fma8(p1, Vector256.Create(s[7]), acc1);
            }
        }
        return Vector256.Sum(acc0 + acc1);
    }
}
