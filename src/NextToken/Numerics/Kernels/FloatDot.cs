using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NextToken.Numerics.Quantization;

namespace NextToken.Numerics.Kernels;

// Performance notes. .NET exposes no F16C/AVX-512-FP16 conversion intrinsic, so halves are widened in registers:
// exponent and mantissa shifted into float position and multiplied by 2^112 (exact for normals and subnormals), with
// one signed compare and a blend for infinities and NaNs; BF16 is a 16-bit shift. Loading 8 halves with vpmovzxwd
// straight from memory measured about 2× faster than a 32-byte load split by Vector256.Widen. Four accumulators
// keep the FMA latency off the critical path. The F16 dot loads halves sign-extended, so sign, exponent and mantissa
// land in place with one shift and one mask (four instructions per eight values instead of ten), and checks once per
// row, by the largest magnitude seen (vmaxps: Vector256.Max's IEEE handling of NaN and −0 costs ten instructions),
// whether an infinity or NaN needs the exact path. A matrix whose rows all passed that check once is multiplied
// without it from then on (F16Finite).

/// <summary>
/// Float dot products of a weight row (F32, F16 or BF16 elements) with a float activation row, each with a scalar twin.
/// F16 and BF16 are widened in registers (F16 by the exponent-rebias trick, BF16 by a 16-bit shift), so a
/// row is read once and never converted to memory.
/// </summary>
internal static unsafe class FloatDot
{
    /// <summary>Σ w[i]·x[i] over F32 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float F32(float* w, float* x, int n)
    {
        var i = 0;
        var sum = 0f;
        if (Vector256.IsHardwareAccelerated && n >= 32)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 32 <= n; i += 32)
            {
                Prefetch.Ahead((byte*)(w + i));
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i), Vector256.Load(x + i), a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i + 8), Vector256.Load(x + i + 8), a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i + 16), Vector256.Load(x + i + 16), a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i + 24), Vector256.Load(x + i + 24), a3);
            }
            for (; i + 8 <= n; i += 8) a0 = Vector256.FusedMultiplyAdd(Vector256.Load(w + i), Vector256.Load(x + i), a0);
            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) sum += w[i] * x[i];
        return sum;
    }

    /// <summary>Scalar twin of <see cref="F32"/>.</summary>
    public static float F32Scalar(float* w, float* x, int n)
    {
        var sum = 0f;
        for (var i = 0; i < n; i++) sum += w[i] * x[i];
        return sum;
    }

    /// <summary>Eight 16-bit values at <paramref name="p"/> zero-extended to 32 bits (one vpmovzxwd from memory under AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> Load8(ushort* p) =>
        Avx2.IsSupported ? Avx2.ConvertToVector256Int32(p).AsUInt32() : Vector256.WidenLower(Vector128.Load(p).ToVector256());

    /// <summary>Σ f32(w[i])·x[i] over F16 weights.</summary>
    public static float F16(ushort* w, float* x, int n) => F16(w, x, n, out _);

    /// <summary>
    /// Σ f32(w[i])·x[i] over F16 weights; <paramref name="sawSpecial"/> tells whether the row holds an infinity or NaN
    /// (the result is exact either way: such a row is taken again by the scalar twin).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float F16(ushort* w, float* x, int n, out bool sawSpecial)
    {
        var i = 0;
        var sum = 0f;
        sawSpecial = false;
        if (Avx2.IsSupported && n >= 32)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, largest = default;
            for (; i + 32 <= n; i += 32)
            {
                Prefetch.Ahead((byte*)(w + i));
                var w0 = FiniteHalfToSingle(w + i);
                var w1 = FiniteHalfToSingle(w + i + 8);
                var w2 = FiniteHalfToSingle(w + i + 16);
                var w3 = FiniteHalfToSingle(w + i + 24);
                largest = Avx.Max(largest, Avx.Max(Vector256.Abs(w0), Vector256.Abs(w1)));
                largest = Avx.Max(largest, Avx.Max(Vector256.Abs(w2), Vector256.Abs(w3)));
                a0 = Vector256.FusedMultiplyAdd(w0, Vector256.Load(x + i), a0);
                a1 = Vector256.FusedMultiplyAdd(w1, Vector256.Load(x + i + 8), a1);
                a2 = Vector256.FusedMultiplyAdd(w2, Vector256.Load(x + i + 16), a2);
                a3 = Vector256.FusedMultiplyAdd(w3, Vector256.Load(x + i + 24), a3);
            }
            for (; i + 8 <= n; i += 8)
            {
                var wi = FiniteHalfToSingle(w + i);
                largest = Avx.Max(largest, Vector256.Abs(wi));
                a0 = Vector256.FusedMultiplyAdd(wi, Vector256.Load(x + i), a0);
            }
            // A value above the largest finite half came from an infinity or NaN: take the row again, exactly.
            if (Vector256.GreaterThanAny(largest, Vector256.Create(MaxFiniteHalf)))
            {
                sawSpecial = true;
                return F16Scalar(w, x, n);
            }
            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++)
        {
            var h = w[i];
            if ((h & 0x7c00) == 0x7c00) sawSpecial = true;
            sum += HalfConversion.ToSingle(h) * x[i];
        }
        return sum;
    }

    /// <summary>
    /// <see cref="F16(ushort*, float*, int)"/> for a row known to hold no infinity or NaN (a matrix whose every row an
    /// earlier product checked): the same sum without the per-row check, five instructions per eight values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float F16Finite(ushort* w, float* x, int n)
    {
        var i = 0;
        var sum = 0f;
        if (Avx2.IsSupported && n >= 32)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 32 <= n; i += 32)
            {
                Prefetch.Ahead((byte*)(w + i));
                a0 = Vector256.FusedMultiplyAdd(FiniteHalfToSingle(w + i), Vector256.Load(x + i), a0);
                a1 = Vector256.FusedMultiplyAdd(FiniteHalfToSingle(w + i + 8), Vector256.Load(x + i + 8), a1);
                a2 = Vector256.FusedMultiplyAdd(FiniteHalfToSingle(w + i + 16), Vector256.Load(x + i + 16), a2);
                a3 = Vector256.FusedMultiplyAdd(FiniteHalfToSingle(w + i + 24), Vector256.Load(x + i + 24), a3);
            }
            for (; i + 8 <= n; i += 8) a0 = Vector256.FusedMultiplyAdd(FiniteHalfToSingle(w + i), Vector256.Load(x + i), a0);
            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) sum += HalfConversion.ToSingle(w[i]) * x[i];
        return sum;
    }

    /// <summary>The largest finite half, 65504.</summary>
    private const float MaxFiniteHalf = 65504f;

    /// <summary>
    /// Eight halves at <paramref name="p"/> as floats, right for every finite half (subnormals included); an infinity
    /// or NaN comes out as a finite value above 65504, which callers check for. The sign-extending load puts the
    /// sign in bit 31 after the shift, so this is four instructions against <see cref="HalfToSingle"/>'s ten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> FiniteHalfToSingle(ushort* p)
    {
        var h = Avx2.ConvertToVector256Int32((short*)p);
        return ((h << 13) & Vector256.Create(unchecked((int)0x8FFFE000))).AsSingle() * Vector256.Create(5.192296858534828e33f);
    }

    /// <summary>Scalar twin of <see cref="F16(ushort*, float*, int)"/>.</summary>
    public static float F16Scalar(ushort* w, float* x, int n)
    {
        var sum = 0f;
        for (var i = 0; i < n; i++) sum += HalfConversion.ToSingle(w[i]) * x[i];
        return sum;
    }

    /// <summary>Σ f32(w[i])·x[i] over BF16 weights.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float BF16(ushort* w, float* x, int n)
    {
        var i = 0;
        var sum = 0f;
        if (Vector256.IsHardwareAccelerated && n >= 32)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + 32 <= n; i += 32)
            {
                Prefetch.Ahead((byte*)(w + i));
                a0 = Vector256.FusedMultiplyAdd((Load8(w + i) << 16).AsSingle(), Vector256.Load(x + i), a0);
                a1 = Vector256.FusedMultiplyAdd((Load8(w + i + 8) << 16).AsSingle(), Vector256.Load(x + i + 8), a1);
                a2 = Vector256.FusedMultiplyAdd((Load8(w + i + 16) << 16).AsSingle(), Vector256.Load(x + i + 16), a2);
                a3 = Vector256.FusedMultiplyAdd((Load8(w + i + 24) << 16).AsSingle(), Vector256.Load(x + i + 24), a3);
            }
            for (; i + 8 <= n; i += 8) a0 = Vector256.FusedMultiplyAdd((Load8(w + i) << 16).AsSingle(), Vector256.Load(x + i), a0);
            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) sum += HalfConversion.BFloat16ToSingle(w[i]) * x[i];
        return sum;
    }

    /// <summary>Scalar twin of <see cref="BF16"/>.</summary>
    public static float BF16Scalar(ushort* w, float* x, int n)
    {
        var sum = 0f;
        for (var i = 0; i < n; i++) sum += HalfConversion.BFloat16ToSingle(w[i]) * x[i];
        return sum;
    }

    /// <summary>Eight half bit patterns (zero-extended to 32 bits) to floats, infinities and NaNs included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> HalfToSingle(Vector256<uint> h)
    {
        // Exponent and mantissa moved into float position are 2^112 too small (subnormals included); all-ones
        // exponents (infinity, NaN) instead get the float's all-ones exponent with the mantissa kept.
        var shifted = (h & Vector256.Create(0x7fffu)) << 13;
        var value = (shifted.AsSingle() * Vector256.Create(5.192296858534828e33f)).AsUInt32();
        // shifted < 2^28, so a signed compare (one instruction; AVX2 has no unsigned one) is exact.
        var special = Vector256.GreaterThan(shifted.AsInt32(), Vector256.Create(0x0f7fffff)).AsUInt32();
        var sign = (h << 16) & Vector256.Create(0x80000000u);
        return (Vector256.ConditionalSelect(special, shifted | Vector256.Create(0x7f800000u), value) | sign).AsSingle();
    }

    /// <summary>y[i] += a · x[i] (the transposed-matrix kernel's inner step).</summary>
    public static void AddScaled(float* y, float a, float* x, int n)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; i + 8 <= n; i += 8) Vector256.FusedMultiplyAdd(va, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
        }
        for (; i < n; i++) y[i] += a * x[i];
    }
}
