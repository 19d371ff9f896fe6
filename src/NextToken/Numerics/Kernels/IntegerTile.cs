using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NextToken.Numerics.Quantization;

namespace NextToken.Numerics.Kernels;

// Performance notes. With 8-bit activations a prompt used to run the one-token kernel for every (row, token) pair,
// unpacking each weight block again for every token. These tiles take 2 weight rows × 4 tokens per pass: a weight
// block is loaded, unpacked (Q4_0's nibbles) or made absolute (Q8_0's sign trick) and its scale looked up once for 4
// tokens, and 8 accumulators stay in registers. Each pair still runs exactly the one-token kernel's operations in its
// order (IntegerDot.Q8_0/Q4_0: one accumulator, the same integer sums, the same scale product, Vector256.Sum at the
// end), so a prompt gives bit-identical results to its tokens fed one at a time. Q4_K keeps two accumulators and a
// running integer sum per pair, so its tile is 1 row × 3 tokens: a block's scales and each 32-byte chunk's nibbles
// are unpacked once for the 3 tokens (Q5_K the same, with its fifth bits); Q6_K's tile is 1 row × 4 tokens, each 32-quant group assembled once.

/// <summary>Register tiles of 2 weight rows × 4 tokens for prompts in 8-bit arithmetic, bit-identical to <see cref="IntegerDot"/>.</summary>
internal static unsafe class IntegerTile
{
    public const int Rows = 2;
    public const int Tokens = 4;

    /// <summary>Whether the type has a tile (else prompts run the one-token kernel per pair).</summary>
    public static bool Supports(TensorType type) =>
        Avx2.IsSupported && type is TensorType.Q8_0 or TensorType.Q4_0 or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K;

    /// <summary>Rows and tokens of <paramref name="type"/>'s tile.</summary>
    public static (int Rows, int Tokens) Shape(TensorType type) => type switch
    {
        TensorType.Q4_K or TensorType.Q5_K => (1, 3),
        TensorType.Q6_K => (1, 4),
        _ => (Rows, Tokens),
    };

    /// <summary>
    /// The tile of <typeparamref name="TBlock"/> (one of the types <see cref="Supports"/> lists) over
    /// <paramref name="rows"/> rows and <paramref name="tokens"/> tokens, at most its <see cref="Shape"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TBlock>(byte* w, long rowBytes, int rows, byte* a, long aStride, int tokens, int blocks, float* y, long yStride)
        where TBlock : IQuantizedBlock
    {
        if (typeof(TBlock) == typeof(BlockQ8_0)) Q8_0(w, rowBytes, rows, a, aStride, tokens, blocks, y, yStride);
        else if (typeof(TBlock) == typeof(BlockQ4_0)) Q4_0(w, rowBytes, rows, a, aStride, tokens, blocks, y, yStride);
        else if (typeof(TBlock) == typeof(BlockQ4_K)) Q4_K(w, a, aStride, tokens, blocks, y, yStride);
        else if (typeof(TBlock) == typeof(BlockQ5_K)) Q5_K(w, a, aStride, tokens, blocks, y, yStride);
        else if (typeof(TBlock) == typeof(BlockQ6_K)) Q6_K(w, a, aStride, tokens, blocks, y, yStride);
        else throw new NotSupportedException($"no integer tile for {TBlock.Type}");
    }

    /// <summary>Row <paramref name="i"/> of <paramref name="count"/> rows <paramref name="stride"/> apart, or the first row past the last (its results are not stored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Nth(byte* first, long stride, int count, int i) => i < count ? first + i * stride : first;

    /// <summary>
    /// y[t·<paramref name="yStride"/> + r] = IntegerDot.Q8_0(row r, token t) for r &lt; <paramref name="rows"/> (≤ 2,
    /// <paramref name="rowBytes"/> apart) and t &lt; <paramref name="tokens"/> (≤ 4, activation rows <paramref name="aStride"/> apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q8_0(byte* w, long rowBytes, int rows, byte* a, long aStride, int tokens, int blocks, float* y, long yStride)
    {
        var x0 = w;
        var x1 = Nth(w, rowBytes, rows, 1);
        var y0 = a;
        var y1 = Nth(a, aStride, tokens, 1);
        var y2 = Nth(a, aStride, tokens, 2);
        var y3 = Nth(a, aStride, tokens, 3);
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
        for (var b = 0; b < blocks; b++, x0 += 34, x1 += 34, y0 += 40, y1 += 40, y2 += 40, y3 += 40)
        {
            var q0 = Vector256.Load((sbyte*)(x0 + 2));
            var q1 = Vector256.Load((sbyte*)(x1 + 2));
            var u0 = Avx2.Abs(q0);
            var u1 = Avx2.Abs(q1);
            var d0 = IntegerDot.Half(x0);
            var d1 = IntegerDot.Half(x1);
            Step(u0, q0, u1, q1, d0, d1, y0, ref s00, ref s10);
            Step(u0, q0, u1, q1, d0, d1, y1, ref s01, ref s11);
            Step(u0, q0, u1, q1, d0, d1, y2, ref s02, ref s12);
            Step(u0, q0, u1, q1, d0, d1, y3, ref s03, ref s13);
        }
        Store(y, yStride, rows, tokens, s00, s01, s02, s03, s10, s11, s12, s13);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(Vector256<byte> u0, Vector256<sbyte> q0, Vector256<byte> u1, Vector256<sbyte> q1, float d0, float d1, byte* a,
        ref Vector256<float> s0, ref Vector256<float> s1)
    {
        var v = Vector256.Load((sbyte*)(a + 8));
        var dy = *(float*)a;
        s0 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(IntegerDot.DotBytes(u0, Avx2.Sign(v, q0))), Vector256.Create(d0 * dy), s0);
        s1 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(IntegerDot.DotBytes(u1, Avx2.Sign(v, q1))), Vector256.Create(d1 * dy), s1);
    }

    /// <summary>The same for Q4_0 (IntegerDot.Q4_0's operations per pair).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q4_0(byte* w, long rowBytes, int rows, byte* a, long aStride, int tokens, int blocks, float* y, long yStride)
    {
        var x0 = w;
        var x1 = Nth(w, rowBytes, rows, 1);
        var y0 = a;
        var y1 = Nth(a, aStride, tokens, 1);
        var y2 = Nth(a, aStride, tokens, 2);
        var y3 = Nth(a, aStride, tokens, 3);
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
        for (var b = 0; b < blocks; b++, x0 += 18, x1 += 18, y0 += 40, y1 += 40, y2 += 40, y3 += 40)
        {
            var n0 = IntegerDot.Nibbles(x0 + 2);
            var n1 = IntegerDot.Nibbles(x1 + 2);
            var d0 = IntegerDot.Half(x0);
            var d1 = IntegerDot.Half(x1);
            StepNibbles(n0, n1, d0, d1, y0, ref s00, ref s10);
            StepNibbles(n0, n1, d0, d1, y1, ref s01, ref s11);
            StepNibbles(n0, n1, d0, d1, y2, ref s02, ref s12);
            StepNibbles(n0, n1, d0, d1, y3, ref s03, ref s13);
        }
        Store(y, yStride, rows, tokens, s00, s01, s02, s03, s10, s11, s12, s13);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StepNibbles(Vector256<byte> n0, Vector256<byte> n1, float d0, float d1, byte* a, ref Vector256<float> s0, ref Vector256<float> s1)
    {
        var v = Vector256.Load((sbyte*)(a + 8));
        var offset = Vector256.CreateScalar(-8 * *(int*)(a + 4));
        var dy = *(float*)a;
        s0 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(IntegerDot.DotBytes(n0, v) + offset), Vector256.Create(d0 * dy), s0);
        s1 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(IntegerDot.DotBytes(n1, v) + offset), Vector256.Create(d1 * dy), s1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, long yStride, int rows, int tokens,
        Vector256<float> s00, Vector256<float> s01, Vector256<float> s02, Vector256<float> s03,
        Vector256<float> s10, Vector256<float> s11, Vector256<float> s12, Vector256<float> s13)
    {
        y[0] = Vector256.Sum(s00);
        if (tokens > 1) y[yStride] = Vector256.Sum(s01);
        if (tokens > 2) y[2 * yStride] = Vector256.Sum(s02);
        if (tokens > 3) y[3 * yStride] = Vector256.Sum(s03);
        if (rows < 2) return;
        y[1] = Vector256.Sum(s10);
        if (tokens > 1) y[yStride + 1] = Vector256.Sum(s11);
        if (tokens > 2) y[2 * yStride + 1] = Vector256.Sum(s12);
        if (tokens > 3) y[3 * yStride + 1] = Vector256.Sum(s13);
    }

    /// <summary>
    /// y[t·<paramref name="yStride"/>] = IntegerDot.Q4_K(row, token t) for t &lt; <paramref name="tokens"/> (≤ 3,
    /// activation rows <paramref name="aStride"/> apart), one weight row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q4_K(byte* x, byte* a, long aStride, int tokens, int blocks, float* y, long yStride)
    {
        var y0 = a;
        var y1 = Nth(a, aStride, tokens, 1);
        var y2 = Nth(a, aStride, tokens, 2);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default;
        Vector128<float> mins0 = default, mins1 = default, mins2 = default;
        var mask = Vector256.Create((byte)0x0F);
        for (var b = 0; b < blocks; b++, x += 144, y0 += ActivationQuantizer.Q8_KBytes, y1 += ActivationQuantizer.Q8_KBytes, y2 += ActivationQuantizer.Q8_KBytes)
        {
            BlockQ4_K.ScalesAndMins(x + 4, out var scales, out var mins);
            Vector256<int> sum0 = default, sum1 = default, sum2 = default;
            for (var c = 0; c < 4; c++, scales >>= 16)
            {
                var q = Vector256.Load(x + 16 + 32 * c);
                var low = q & mask;
                var high = (q.AsUInt16() >> 4).AsByte() & mask;
                AddChunk(low, high, scales, y0, y1, y2, c, ref sum0, ref sum1, ref sum2);
            }
            var d = IntegerDot.Half(x);
            var dmin = IntegerDot.Half(x + 2);
            FinishQ4_KBlock(sum0, mins, d, dmin, y0, ref acc0, ref mins0);
            FinishQ4_KBlock(sum1, mins, d, dmin, y1, ref acc1, ref mins1);
            FinishQ4_KBlock(sum2, mins, d, dmin, y2, ref acc2, ref mins2);
        }
        y[0] = IntegerDot.HorizontalSum(acc0) + IntegerDot.HorizontalSum(mins0);
        if (tokens > 1) y[yStride] = IntegerDot.HorizontalSum(acc1) + IntegerDot.HorizontalSum(mins1);
        if (tokens > 2) y[2 * yStride] = IntegerDot.HorizontalSum(acc2) + IntegerDot.HorizontalSum(mins2);
    }

    /// <summary>
    /// Chunk <paramref name="c"/> of a Q4_K/Q5_K block for 3 tokens: its 32 low-half and 32 high-half quants times the
    /// activations, scaled by the chunk's two 6-bit scales (the low 16 bits of <paramref name="scales"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddChunk(Vector256<byte> low, Vector256<byte> high, ulong scales, byte* y0, byte* y1, byte* y2, int c,
        ref Vector256<int> sum0, ref Vector256<int> sum1, ref Vector256<int> sum2)
    {
        var lowScale = Vector256.Create((short)(scales & 0xff));
        var highScale = Vector256.Create((short)((scales >> 8) & 0xff));
        var offset = 4 + 64 * c;
        sum0 += IntegerDot.ScaledDot(low, Vector256.Load((sbyte*)(y0 + offset)), lowScale);
        sum0 += IntegerDot.ScaledDot(high, Vector256.Load((sbyte*)(y0 + offset + 32)), highScale);
        sum1 += IntegerDot.ScaledDot(low, Vector256.Load((sbyte*)(y1 + offset)), lowScale);
        sum1 += IntegerDot.ScaledDot(high, Vector256.Load((sbyte*)(y1 + offset + 32)), highScale);
        sum2 += IntegerDot.ScaledDot(low, Vector256.Load((sbyte*)(y2 + offset)), lowScale);
        sum2 += IntegerDot.ScaledDot(high, Vector256.Load((sbyte*)(y2 + offset + 32)), highScale);
    }

    /// <summary>A Q4_K block's scale and min steps for one token, as IntegerDot.Q4_K takes them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishQ4_KBlock(Vector256<int> sumi, ulong mins, float d, float dmin, byte* a, ref Vector256<float> acc, ref Vector128<float> accMins)
    {
        var dy = *(float*)a;
        acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(dy * d), acc);
        accMins = Vector128.FusedMultiplyAdd(Vector128.ConvertToSingle(IntegerDot.MinsTimesSums(mins, (short*)(a + 260))), Vector128.Create(-dy * dmin), accMins);
    }

    /// <summary>y[t·<paramref name="yStride"/>] = IntegerDot.Q6_K(row, token t) for t &lt; <paramref name="tokens"/> (≤ 4), one weight row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q6_K(byte* x, byte* a, long aStride, int tokens, int blocks, float* y, long yStride)
    {
        var y0 = a;
        var y1 = Nth(a, aStride, tokens, 1);
        var y2 = Nth(a, aStride, tokens, 2);
        var y3 = Nth(a, aStride, tokens, 3);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        var low4 = Vector256.Create((byte)0x0F);
        var low2 = Vector256.Create((byte)0x03).AsUInt16();
        const int stride = ActivationQuantizer.Q8_KBytes;
        for (var b = 0; b < blocks; b++, x += 210, y0 += stride, y1 += stride, y2 += stride, y3 += stride)
        {
            var scales = (sbyte*)(x + 192);
            // Every quant is stored +32: Σ_g scale_g·32·bsum_g comes off first, lane-wise, as in IntegerDot.Q6_K.
            var scales16 = Vector256.WidenLower(Vector128.Load(scales).ToVector256());
            var sum0 = -32 * Avx2.MultiplyAddAdjacent(scales16, Vector256.Load((short*)(y0 + 260)));
            var sum1 = -32 * Avx2.MultiplyAddAdjacent(scales16, Vector256.Load((short*)(y1 + 260)));
            var sum2 = -32 * Avx2.MultiplyAddAdjacent(scales16, Vector256.Load((short*)(y2 + 260)));
            var sum3 = -32 * Avx2.MultiplyAddAdjacent(scales16, Vector256.Load((short*)(y3 + 260)));
            for (var half = 0; half < 2; half++)
            {
                var ql0 = Vector256.Load(x + 64 * half);
                var ql1 = Vector256.Load(x + 64 * half + 32);
                var qh = Vector256.Load(x + 128 + 32 * half).AsUInt16();
                var s = scales + 8 * half;
                var offset = 4 + 128 * half;
                for (var k = 0; k < 4; k++)
                {
                    var ql = k % 2 == 0 ? ql0 : ql1;
                    var low = k < 2 ? ql & low4 : (ql.AsUInt16() >> 4).AsByte() & low4;
                    var q = low | (((qh >> (2 * k)) & low2) << 4).AsByte();
                    var scale = IntegerDot.Scales(s[2 * k], s[2 * k + 1]);
                    var o = offset + 32 * k;
                    sum0 += IntegerDot.ScaledDot(q, Vector256.Load((sbyte*)(y0 + o)), scale);
                    sum1 += IntegerDot.ScaledDot(q, Vector256.Load((sbyte*)(y1 + o)), scale);
                    sum2 += IntegerDot.ScaledDot(q, Vector256.Load((sbyte*)(y2 + o)), scale);
                    sum3 += IntegerDot.ScaledDot(q, Vector256.Load((sbyte*)(y3 + o)), scale);
                }
            }
            var d = IntegerDot.Half(x + 208);
            acc0 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sum0), Vector256.Create(*(float*)y0 * d), acc0);
            acc1 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sum1), Vector256.Create(*(float*)y1 * d), acc1);
            acc2 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sum2), Vector256.Create(*(float*)y2 * d), acc2);
            acc3 = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sum3), Vector256.Create(*(float*)y3 * d), acc3);
        }
        y[0] = IntegerDot.HorizontalSum(acc0);
        if (tokens > 1) y[yStride] = IntegerDot.HorizontalSum(acc1);
        if (tokens > 2) y[2 * yStride] = IntegerDot.HorizontalSum(acc2);
        if (tokens > 3) y[3 * yStride] = IntegerDot.HorizontalSum(acc3);
    }

    /// <summary>y[t·<paramref name="yStride"/>] = IntegerDot.Q5_K(row, token t) for t &lt; <paramref name="tokens"/> (≤ 3), one weight row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q5_K(byte* x, byte* a, long aStride, int tokens, int blocks, float* y, long yStride)
    {
        var y0 = a;
        var y1 = Nth(a, aStride, tokens, 1);
        var y2 = Nth(a, aStride, tokens, 2);
        Vector256<float> acc0 = default, acc1 = default, acc2 = default;
        float mins0 = 0, mins1 = 0, mins2 = 0;
        var mask = Vector256.Create((byte)0x0F);
        var one = Vector256.Create((byte)1);
        const int stride = ActivationQuantizer.Q8_KBytes;
        for (var b = 0; b < blocks; b++, x += 176, y0 += stride, y1 += stride, y2 += stride)
        {
            var qh = Vector256.Load(x + 16);
            BlockQ4_K.ScalesAndMins(x + 4, out var scales, out var mins);
            Vector256<int> sum0 = default, sum1 = default, sum2 = default;
            for (var c = 0; c < 4; c++, scales >>= 16)
            {
                var q = Vector256.Load(x + 48 + 32 * c);
                var high1 = ((qh.AsUInt16() >> (2 * c)).AsByte() & one).AsUInt16() << 4;
                var high2 = ((qh.AsUInt16() >> (2 * c + 1)).AsByte() & one).AsUInt16() << 4;
                var low = (q & mask) | high1.AsByte();
                var high = ((q.AsUInt16() >> 4).AsByte() & mask) | high2.AsByte();
                AddChunk(low, high, scales, y0, y1, y2, c, ref sum0, ref sum1, ref sum2);
            }
            var d = IntegerDot.Half(x);
            var dmin = IntegerDot.Half(x + 2);
            FinishQ5_KBlock(sum0, mins, d, dmin, y0, ref acc0, ref mins0);
            FinishQ5_KBlock(sum1, mins, d, dmin, y1, ref acc1, ref mins1);
            FinishQ5_KBlock(sum2, mins, d, dmin, y2, ref acc2, ref mins2);
        }
        y[0] = IntegerDot.HorizontalSum(acc0) + mins0;
        if (tokens > 1) y[yStride] = IntegerDot.HorizontalSum(acc1) + mins1;
        if (tokens > 2) y[2 * yStride] = IntegerDot.HorizontalSum(acc2) + mins2;
    }

    /// <summary>A Q5_K block's scale step and scalar min step for one token, as IntegerDot.Q5_K takes them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishQ5_KBlock(Vector256<int> sumi, ulong mins, float d, float dmin, byte* a, ref Vector256<float> acc, ref float accMins)
    {
        var dy = *(float*)a;
        acc = Vector256.FusedMultiplyAdd(Vector256.ConvertToSingle(sumi), Vector256.Create(dy * d), acc);
        var minSum = (float)Vector128.Sum(IntegerDot.MinsTimesSums(mins, (short*)(a + 260)));
        accMins = MathF.FusedMultiplyAdd(-dy * dmin, minSum, accMins);
    }
}
