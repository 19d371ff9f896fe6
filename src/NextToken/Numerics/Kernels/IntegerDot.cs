using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NextToken.Numerics.Quantization;

namespace NextToken.Numerics.Kernels;

// Performance notes. Decode is bound by reading the weights, so each kernel touches a block's bytes once, widens the
// quants in registers and multiplies bytes: u8 × i8 pairs summed to i32 (AVX-VNNI vpdpbusd where present, else AVX2
// vpmaddubsw + vpmaddwd, as llama.cpp does). Signed × signed products use |x| and sign(y, x) so the unsigned operand
// is |x| ≤ 128 and the 16-bit pair sums cannot saturate. K-quants fold their 16-bit group scales into vpmaddwd, which
// costs nothing over the plain sum. Block scales accumulate in float vectors; one horizontal sum per row.
// Measured in L1 on this machine (CPU time, tiered JIT off, ±30% noise from other work): two blocks per step with two
// accumulators took Q8_0 from ~320 to ~170 ns per 2048 values (Q8_0 and Q4_0 have since gone back to one
// accumulator, llama.cpp's order, so that IntegerTile can repeat them exactly; see below); unpacking all Q4_K/Q5_K scales and mins with 32-bit word
// operations (instead of eight branchy per-group reads) and taking the K-quant min/offset terms with one lane-wise
// vpmaddwd took Q4_K from ~250 to ~140 ns, Q6_K from ~200 to ~130, Q3_K from ~550 to ~370. Splitting the misaligned
// 32-byte loads into two 16-byte loads gained nothing. A half→float table replaces the scalar conversion of block scales.
// The 32-value types take their activations as Q8_0Sums (Q8_0 with d already a float and Σq stored): one table
// lookup per block instead of two, and Q4_0 feeds its unsigned nibbles straight to vpmaddubsw with −8·Σq added to one
// lane, where the sign trick needed a subtract, an abs and a sign per block; nibbles come from one broadcast load and a
// variable shift. Q4_0 went from ~7 to ~5 cycles per block in L2 (1.1B Q4_0 decode 17–20 → 22–23 tokens/s on 2
// threads), measured with two blocks per step into two accumulators (which, still with the sign trick, had measured
// ~8% faster in L2 than one); with one accumulator, for the tiles' sake, the whole model decodes at 19.5–21.9. Computing block scales with vector bit operations instead of the table measured no
// faster. Tried and dropped: Q5_0 the same way (see its kernel); Q4_0 decode over 4 rows at once sharing each
// activation block (18.8 against 16.4 GB/s while the matrix sat in L3, but 11.3–11.8 against 14.5–15 GB/s streaming a
// 75 MB matrix from memory: four interleaved row streams prefetch worse than one).

/// <summary>Vectorised integer dot products of weight blocks with 8-bit activation blocks; each has a scalar twin on its block type.</summary>
internal static unsafe class IntegerDot
{
    private static bool Supported => Avx2.IsSupported;

    /// <summary>Σ of u8·i8 products, four per 32-bit lane (no saturation for |u| ≤ 128).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> DotBytes(Vector256<byte> u, Vector256<sbyte> s)
    {
        if (AvxVnni.IsSupported) return AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, u, s);
        return Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s), Vector256<short>.One);
    }

    /// <summary>Σ of i8·i8 products, four per 32-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> DotSigned(Vector256<sbyte> x, Vector256<sbyte> y) =>
        DotBytes(Avx2.Abs(x), Avx2.Sign(y, x));

    /// <summary>Sixteen packed bytes → 32 nibbles: low nibbles first, then high nibbles (GGML's order for 32-value blocks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<byte> Nibbles(byte* p)
    {
        // The 16 bytes in both halves (one load), the upper half shifted right by 4: two operations instead of four.
        var both = Avx2.BroadcastVector128ToVector256(p).AsUInt32();
        var shifted = Avx2.ShiftRightLogicalVariable(both, Vector256.Create(0u, 0, 0, 0, 4, 4, 4, 4));
        return shifted.AsByte() & Vector256.Create((byte)0x0F);
    }

    /// <summary>The 32 bits of <paramref name="bits"/> as 32 bytes, 0xFF where the bit is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> BitsToBytes(uint bits)
    {
        var spread = Avx2.Shuffle(Vector256.Create(bits).AsByte(),
            Vector256.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
        var select = Vector256.Create(0x8040201008040201ul).AsByte();
        return Vector256.Equals(spread & select, select);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Half(byte* p) => HalfConversion.ReadFast(p);

    /// <summary>
    /// Σ of eight lanes in llama.cpp's order (its hsum_float_8): halves added lane-wise, then (0+2) + (1+3). The Q4_1,
    /// Q5_1 and K-quant kernels use it, with their min terms accumulated as llama.cpp does. Their result is often a
    /// difference of large terms (the min term), so a one-ulp change in the order of the sums moves activations
    /// across 8-bit rounding steps downstream often enough to show in the logits: measured on llama-random,
    /// Vector256.Sum (a different order) and separately summed min terms made Q4_1, Q5_1, Q5_K_M and Q3_K_M disagree
    /// with llama.cpp at 1–10 of 24 positions; this order makes Q4_1, Q5_K_M and Q3_K_M agree at all of them (Q5_1
    /// still differs at 5, Q4_K_M at 8). Q8_0, Q4_0 and Q5_0 keep Vector256.Sum, which measured closer to llama.cpp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float HorizontalSum(Vector256<float> v) => HorizontalSum(v.GetLower() + v.GetUpper());

    /// <summary>Σ of four lanes as (0+2) + (1+3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float HorizontalSum(Vector128<float> v)
    {
        var pairs = v + Sse.MoveHighToLow(v, v);
        return Sse.AddScalar(pairs, Sse3.MoveHighAndDuplicate(pairs)).ToScalar();
    }

    /// <summary>
    /// Q8_0 × Q8_0Sums (the activation scale already a float; its sum unused). One accumulator, as llama.cpp, so that
    /// <see cref="IntegerTile.Q8_0"/> computes each (row, token) of a prompt with the very same operations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q8_0(byte* x, byte* y, int n)
    {
        if (!Supported) return BlockQ8_0.DotQuantizedScalar(x, y, n);
        var acc = Vector256<float>.Zero;
        for (var b = 0; b < n; b++, x += 34, y += 40)
        {
            Prefetch.Ahead(x);
            var sumi = DotSigned(Vector256.Load((sbyte*)(x + 2)), Vector256.Load((sbyte*)(y + 8)));
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(Half(x) * *(float*)y), acc);
        }
        return Vector256.Sum(acc);
    }

    /// <summary>
    /// Q4_0 × Q8_0Sums: Σ (q − 8)·y = Σ q·y − 8·Σy, so the unsigned nibbles go straight into vpmaddubsw and the offset
    /// is one integer added to lane 0 (the block's −8·Σy, from the activation block). The integer sums equal the
    /// sign-trick ones exactly; the activation scale is already a float. One accumulator (see <see cref="Q8_0"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_0(byte* x, byte* y, int n)
    {
        if (!Supported) return BlockQ4_0.DotQuantizedScalar(x, y, n);
        var acc = Vector256<float>.Zero;
        for (var b = 0; b < n; b++, x += 18, y += 40)
        {
            Prefetch.Ahead(x);
            var sumi = DotBytes(Nibbles(x + 2), Vector256.Load((sbyte*)(y + 8))) + Vector256.CreateScalar(-8 * *(int*)(y + 4));
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(Half(x) * *(float*)y), acc);
        }
        return Vector256.Sum(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_1(byte* x, byte* y, int n)
    {
        if (!Supported) return BlockQ4_1.DotQuantizedScalar(x, y, n);
        var acc = Vector256<float>.Zero;
        var mins = 0f;
        for (var b = 0; b < n; b++, x += 20, y += 36)
        {
            Prefetch.Ahead(x);
            var sumi = DotBytes(Nibbles(x + 4), Vector256.Load((sbyte*)(y + 4)));
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(Half(x) * Half(y)), acc);
            // m·s, fused into the running sum as llama.cpp's compiled scalar loop does.
            mins = MathF.FusedMultiplyAdd(Half(x + 2), Half(y + 2), mins);
        }
        return HorizontalSum(acc) + mins;
    }

    /// <summary>
    /// Q5_0 × Q8_0Sums. The quants keep their −16 offset per value (the sign trick, as llama.cpp): taking it as −16·Σy,
    /// as <see cref="Q4_0"/> does, gives the same integer sums spread differently over the lanes, and the float
    /// rounding that follows moved llama-random's Q5_0 logits 0.06 away from llama.cpp's (they agree to 1e-5 this way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_0(byte* x, byte* y, int n)
    {
        if (!Supported) return BlockQ5_0.DotQuantizedScalar(x, y, n);
        var acc = Vector256<float>.Zero;
        var sixteen = Vector256.Create((byte)16);
        for (var b = 0; b < n; b++, x += 22, y += 40)
        {
            Prefetch.Ahead(x);
            var q = ((Nibbles(x + 6) | (BitsToBytes(Unsafe.ReadUnaligned<uint>(x + 2)) & sixteen)) - sixteen).AsSByte();
            var sumi = DotSigned(q, Vector256.Load((sbyte*)(y + 8)));
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(Half(x) * *(float*)y), acc);
        }
        return Vector256.Sum(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_1(byte* x, byte* y, int n)
    {
        if (!Supported) return BlockQ5_1.DotQuantizedScalar(x, y, n);
        var acc = Vector256<float>.Zero;
        var mins = 0f;
        var sixteen = Vector256.Create((byte)16);
        for (var b = 0; b < n; b++, x += 24, y += 36)
        {
            Prefetch.Ahead(x);
            var q = Nibbles(x + 8) | (BitsToBytes(Unsafe.ReadUnaligned<uint>(x + 4)) & sixteen);
            var sumi = DotBytes(q, Vector256.Load((sbyte*)(y + 4)));
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(Half(x) * Half(y)), acc);
            // m·s, fused into the running sum as llama.cpp's compiled scalar loop does.
            mins = MathF.FusedMultiplyAdd(Half(x + 2), Half(y + 2), mins);
        }
        return HorizontalSum(acc) + mins;
    }

    /// <summary>u8·i8 pair sums (16-bit) times a per-half 16-bit scale, summed to 32-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<int> ScaledDot(Vector256<byte> u, Vector256<sbyte> s, Vector256<short> scales) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s), scales);

    /// <summary>A 16-bit vector whose low half is <paramref name="low"/> and high half <paramref name="high"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<short> Scales(int low, int high) => Vector256.Create(Vector128.Create((short)low), Vector128.Create((short)high));

    /// <summary>
    /// The min term of a Q4_K/Q5_K block as llama.cpp groups it: four 32-bit lanes, lane k holding
    /// min_2k·(bsums[4k] + bsums[4k+1]) + min_2k+1·(bsums[4k+2] + bsums[4k+3]) (exact integers).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> MinsTimesSums(ulong mins, short* bsums)
    {
        var groupSums = Ssse3.HorizontalAdd(Vector128.Load(bsums), Vector128.Load(bsums + 8));
        var m = Vector128.WidenLower(Vector128.CreateScalar(mins).AsByte()).AsInt16();
        return Sse2.MultiplyAddAdjacent(m, groupSums);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_K(byte* x, byte* y, int n)
    {
        if (!Supported) return BlockQ4_K.DotQuantizedScalar(x, y, n);
        var acc = Vector256<float>.Zero;
        var accMins = Vector128<float>.Zero;
        var mask = Vector256.Create((byte)0x0F);
        for (var b = 0; b < n; b++, x += 144, y += ActivationQuantizer.Q8_KBytes)
        {
            Prefetch.Ahead(x);
            Prefetch.Ahead(x + 64);
            Prefetch.Ahead(x + 128);
            var q8 = (sbyte*)(y + 4);
            BlockQ4_K.ScalesAndMins(x + 4, out var scales, out var mins);
            var sumi = Vector256<int>.Zero;
            for (var c = 0; c < 4; c++, scales >>= 16)
            {
                var q = Vector256.Load(x + 16 + 32 * c);
                sumi += ScaledDot(q & mask, Vector256.Load(q8 + 64 * c), Vector256.Create((short)(scales & 0xff)));
                sumi += ScaledDot((q.AsUInt16() >> 4).AsByte() & mask, Vector256.Load(q8 + 64 * c + 32), Vector256.Create((short)((scales >> 8) & 0xff)));
            }
            var dy = *(float*)y;
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(dy * Half(x)), acc);
            // Four lanes of paired min terms, as llama.cpp's Q4_K accumulates them.
            accMins = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(MinsTimesSums(mins, (short*)(y + 260))), Vector128.Create(-dy * Half(x + 2)), accMins);
        }
        return HorizontalSum(acc) + HorizontalSum(accMins);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q5_K(byte* x, byte* y, int n)
    {
        if (!Supported) return BlockQ5_K.DotQuantizedScalar(x, y, n);
        var acc = Vector256<float>.Zero;
        var mins = 0f;
        var mask = Vector256.Create((byte)0x0F);
        var one = Vector256.Create((byte)1);
        for (var b = 0; b < n; b++, x += 176, y += ActivationQuantizer.Q8_KBytes)
        {
            Prefetch.Ahead(x);
            Prefetch.Ahead(x + 64);
            Prefetch.Ahead(x + 128);
            var q8 = (sbyte*)(y + 4);
            var qh = Vector256.Load(x + 16);
            BlockQ4_K.ScalesAndMins(x + 4, out var scales, out var blockMins);
            var sumi = Vector256<int>.Zero;
            for (var c = 0; c < 4; c++, scales >>= 16)
            {
                var q = Vector256.Load(x + 48 + 32 * c);
                var high1 = ((qh.AsUInt16() >> (2 * c)).AsByte() & one).AsUInt16() << 4;
                var high2 = ((qh.AsUInt16() >> (2 * c + 1)).AsByte() & one).AsUInt16() << 4;
                sumi += ScaledDot((q & mask) | high1.AsByte(), Vector256.Load(q8 + 64 * c), Vector256.Create((short)(scales & 0xff)));
                sumi += ScaledDot(((q.AsUInt16() >> 4).AsByte() & mask) | high2.AsByte(), Vector256.Load(q8 + 64 * c + 32), Vector256.Create((short)((scales >> 8) & 0xff)));
            }
            var dy = *(float*)y;
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(dy * Half(x)), acc);
            // The whole block's min term as one integer, then one fused scalar step (llama.cpp's Q5_K order).
            var dmin = -dy * Half(x + 2);
            var minSum = (float)Vector128.Sum(MinsTimesSums(blockMins, (short*)(y + 260)));
            mins = MathF.FusedMultiplyAdd(dmin, minSum, mins);
        }
        return HorizontalSum(acc) + mins;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q6_K(byte* x, byte* y, int n)
    {
        if (!Supported) return BlockQ6_K.DotQuantizedScalar(x, y, n);
        var acc = Vector256<float>.Zero;
        var low4 = Vector256.Create((byte)0x0F);
        var low2 = Vector256.Create((byte)0x03);
        for (var b = 0; b < n; b++, x += 210, y += ActivationQuantizer.Q8_KBytes)
        {
            Prefetch.Ahead(x);
            Prefetch.Ahead(x + 64);
            Prefetch.Ahead(x + 128);
            Prefetch.Ahead(x + 192);
            var q8 = (sbyte*)(y + 4);
            var bsums = (short*)(y + 260);
            var scales = (sbyte*)(x + 192);
            // Every quant is stored +32: take out Σ_g scale_g·32·bsum_g once, lane-wise.
            var scales16 = Vector256.WidenLower(Vector128.Load(scales).ToVector256());
            var sumi = -32 * Avx2.MultiplyAddAdjacent(scales16, Vector256.Load(bsums));
            for (var half = 0; half < 2; half++)
            {
                var ql0 = Vector256.Load(x + 64 * half);
                var ql1 = Vector256.Load(x + 64 * half + 32);
                var qh = Vector256.Load(x + 128 + 32 * half).AsUInt16();
                var q1 = (ql0 & low4) | (((qh & low2.AsUInt16()) << 4).AsByte());
                var q2 = (ql1 & low4) | ((((qh >> 2) & low2.AsUInt16()) << 4).AsByte());
                var q3 = ((ql0.AsUInt16() >> 4).AsByte() & low4) | ((((qh >> 4) & low2.AsUInt16()) << 4).AsByte());
                var q4 = ((ql1.AsUInt16() >> 4).AsByte() & low4) | ((((qh >> 6) & low2.AsUInt16()) << 4).AsByte());
                var s = scales + 8 * half;
                var y8 = q8 + 128 * half;
                sumi += ScaledDot(q1, Vector256.Load(y8), Scales(s[0], s[1]));
                sumi += ScaledDot(q2, Vector256.Load(y8 + 32), Scales(s[2], s[3]));
                sumi += ScaledDot(q3, Vector256.Load(y8 + 64), Scales(s[4], s[5]));
                sumi += ScaledDot(q4, Vector256.Load(y8 + 96), Scales(s[6], s[7]));
            }
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(*(float*)y * Half(x + 208)), acc);
        }
        return HorizontalSum(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q3_K(byte* x, byte* y, int n)
    {
        if (!Supported) return BlockQ3_K.DotQuantizedScalar(x, y, n);
        var acc = Vector256<float>.Zero;
        var low2 = Vector256.Create((byte)0x03);
        var four = Vector256.Create((byte)4);
        var scales = stackalloc sbyte[16];
        for (var b = 0; b < n; b++, x += 110, y += ActivationQuantizer.Q8_KBytes)
        {
            Prefetch.Ahead(x);
            Prefetch.Ahead(x + 64);
            var q8 = (sbyte*)(y + 4);
            var bsums = (short*)(y + 260);
            BlockQ3_K.UnpackScalesWords(x + 96, scales);
            var hmask = Vector256.Load(x);
            // Every quant is stored +4: take out Σ_g scale_g·4·bsum_g once, lane-wise.
            var scales16 = Vector256.WidenLower(Vector128.Load(scales).ToVector256());
            var sumi = -4 * Avx2.MultiplyAddAdjacent(scales16, Vector256.Load(bsums));
            for (var half = 0; half < 2; half++)
            {
                var qs = Vector256.Load(x + 32 + 32 * half).AsUInt16();
                for (var k = 0; k < 4; k++)
                {
                    var bit = Vector256.Create((byte)(1 << (4 * half + k)));
                    // Stored value q + 4·h lies in 0–7; the true quant is that minus 4.
                    var q = ((qs >> (2 * k)).AsByte() & low2) | (Vector256.Equals(hmask & bit, bit) & four);
                    var group = 8 * half + 2 * k;
                    sumi += ScaledDot(q, Vector256.Load(q8 + 128 * half + 32 * k), Scales(scales[group], scales[group + 1]));
                }
            }
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(*(float*)y * Half(x + 108)), acc);
        }
        return HorizontalSum(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q2_K(byte* x, byte* y, int n)
    {
        if (!Supported) return BlockQ2_K.DotQuantizedScalar(x, y, n);
        var acc = Vector256<float>.Zero;
        var low2 = Vector256.Create((byte)0x03);
        for (var b = 0; b < n; b++, x += 84, y += ActivationQuantizer.Q8_KBytes)
        {
            Prefetch.Ahead(x);
            Prefetch.Ahead(x + 64);
            var q8 = (sbyte*)(y + 4);
            var sc = x;
            // The mins are the high nibbles of the 16 scale bytes: Σ_g min_g·bsum_g, lane-wise.
            var mins16 = Vector256.WidenLower(((Vector128.Load(sc).AsUInt16() >> 4).AsByte() & Vector128.Create((byte)0x0F)).ToVector256());
            var minSums = Avx2.MultiplyAddAdjacent(mins16.AsInt16(), Vector256.Load((short*)(y + 260)));
            var dy = *(float*)y;
            // llama.cpp's order: the (negative) min term enters the block accumulator first, then the scaled quants.
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(minSums), Vector256.Create(-dy * Half(x + 82)), acc);
            var sumi = Vector256<int>.Zero;
            for (var half = 0; half < 2; half++)
            {
                var qs = Vector256.Load(x + 16 + 32 * half).AsUInt16();
                for (var k = 0; k < 4; k++)
                {
                    var group = 8 * half + 2 * k;
                    var q = (qs >> (2 * k)).AsByte() & low2;
                    sumi += ScaledDot(q, Vector256.Load(q8 + 128 * half + 32 * k), Scales(sc[group] & 15, sc[group + 1] & 15));
                }
            }
            acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(dy * Half(x + 80)), acc);
        }
        return HorizontalSum(acc);
    }
}
