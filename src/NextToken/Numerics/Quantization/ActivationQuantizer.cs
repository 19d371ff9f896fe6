using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NextToken.Numerics.Quantization;

/// <summary>
/// Quantizes activation rows to the 8-bit blocks llama.cpp's integer dot products take (Q8_0, Q8_1, Q8_K),
/// with llama.cpp's x86 rounding: Q8_0/Q8_1 use d = amax/127 stored as f16, multiply by 127/amax and round half
/// to even (its AVX path); Q8_1 also stores s = f16(d · Σq). Q8_K (quantize_row_q8_K_ref) uses the signed value of
/// largest magnitude, iscale = −127/max, round half to even, clamps at 127, stores d = 1/iscale as f32 and the sums
/// of each 16 quants. Q8_0Sums is Q8_0 with d widened to f32 and the block's Σq (NextToken's own layout, the same
/// numbers).
/// </summary>
internal static unsafe class ActivationQuantizer
{
    public const int Q8_0Bytes = 34;
    public const int Q8_1Bytes = 36;
    public const int Q8_KBytes = 292;
    public const int Q8_0SumsBytes = 40;

    /// <summary>Bytes one activation block of <paramref name="format"/> takes.</summary>
    public static int BlockBytes(ActivationFormat format) => format switch
    {
        ActivationFormat.Q8_0 => Q8_0Bytes,
        ActivationFormat.Q8_1 => Q8_1Bytes,
        ActivationFormat.Q8_0Sums => Q8_0SumsBytes,
        _ => Q8_KBytes,
    };

    /// <summary>Values per activation block of <paramref name="format"/>.</summary>
    public static int BlockElements(ActivationFormat format) => format == ActivationFormat.Q8_K ? 256 : 32;

    /// <summary>Quantizes <paramref name="count"/> values (a multiple of the block size) into <paramref name="destination"/>.</summary>
    public static void Quantize(ActivationFormat format, float* x, byte* destination, int count)
    {
        switch (format)
        {
            case ActivationFormat.Q8_0:
            case ActivationFormat.Q8_1:
            case ActivationFormat.Q8_0Sums:
                var bytes = BlockBytes(format);
                for (var i = 0; i < count; i += 32) QuantizeQ8_0Block(x + i, destination + i / 32 * bytes, format);
                break;
            default:
                for (var i = 0; i < count; i += 256) QuantizeQ8_KBlock(x + i, destination + i / 256 * Q8_KBytes);
                break;
        }
    }

    /// <summary>Where the quants of a 32-value block of <paramref name="format"/> start.</summary>
    public static int QuantsOffset(ActivationFormat format) => format switch
    {
        ActivationFormat.Q8_0 => 2,
        ActivationFormat.Q8_1 => 4,
        ActivationFormat.Q8_0Sums => 8,
        _ => 4,
    };

    /// <summary>One Q8_0, Q8_1 or Q8_0Sums block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuantizeQ8_0Block(float* x, byte* block, ActivationFormat format)
    {
        var qs = (sbyte*)(block + QuantsOffset(format));
        if (Vector256.IsHardwareAccelerated)
        {
            var v0 = Vector256.Load(x);
            var v1 = Vector256.Load(x + 8);
            var v2 = Vector256.Load(x + 16);
            var v3 = Vector256.Load(x + 24);
            var max = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
            var amax = Vector128.Max(max.GetLower(), max.GetUpper());
            amax = Vector128.Max(amax, Vector128.Shuffle(amax, Vector128.Create(2, 3, 0, 1)));
            amax = Vector128.Max(amax, Vector128.Shuffle(amax, Vector128.Create(1, 0, 3, 2)));
            var a = amax.ToScalar();
            var d = a / 127f;
            var id = Vector256.Create(a != 0 ? 127f / a : 0f);
            var i0 = Vector256.ConvertToInt32(Vector256.Round(v0 * id));
            var i1 = Vector256.ConvertToInt32(Vector256.Round(v1 * id));
            var i2 = Vector256.ConvertToInt32(Vector256.Round(v2 * id));
            var i3 = Vector256.ConvertToInt32(Vector256.Round(v3 * id));
            // |x·127/amax| ≤ 127 after rounding, so narrowing cannot overflow.
            var packed = Vector256.Narrow(Vector256.Narrow(i0, i1), Vector256.Narrow(i2, i3));
            packed.AsSByte().Store(qs);
            WriteScaleAndSum(block, format, d, format == ActivationFormat.Q8_0 ? 0 : Vector256.Sum(i0 + i1 + i2 + i3));
            return;
        }
        QuantizeQ8_0BlockScalar(x, block, format);
    }

    /// <summary>The header of a 32-value block: f16 d (Q8_0), f16 d and f16 d·Σq (Q8_1), or f32 of the f16 d and Σq (Q8_0Sums).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteScaleAndSum(byte* block, ActivationFormat format, float d, int sum)
    {
        var half = HalfConversion.ToHalf(d);
        if (format == ActivationFormat.Q8_0Sums)
        {
            Unsafe.WriteUnaligned(block, HalfConversion.ToSingle(half));
            Unsafe.WriteUnaligned(block + 4, sum);
            return;
        }
        Unsafe.WriteUnaligned(block, half);
        if (format == ActivationFormat.Q8_1) Unsafe.WriteUnaligned(block + 2, HalfConversion.ToHalf(d * sum));
    }

    /// <summary>The scalar twin of the Q8_0/Q8_1/Q8_0Sums block quantizer.</summary>
    internal static void QuantizeQ8_0BlockScalar(float* x, byte* block, ActivationFormat format)
    {
        var qs = (sbyte*)(block + QuantsOffset(format));
        var amax = 0f;
        for (var j = 0; j < 32; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
        var d = amax / 127f;
        var id = amax != 0 ? 127f / amax : 0f;
        var sum = 0;
        for (var j = 0; j < 32; j++)
        {
            var q = (int)MathF.Round(x[j] * id, MidpointRounding.ToEven);
            qs[j] = (sbyte)q;
            sum += q;
        }
        WriteScaleAndSum(block, format, d, sum);
    }

    /// <summary>One Q8_K block: f32 d, i8 qs[256], i16 bsums[16].</summary>
    internal static void QuantizeQ8_KBlock(float* x, byte* block)
    {
        var qs = (sbyte*)(block + 4);
        var bsums = (short*)(block + 260);
        float max = 0, amax = 0;
        for (var j = 0; j < 256; j++)
        {
            var ax = MathF.Abs(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (amax == 0)
        {
            new Span<byte>(block, Q8_KBytes).Clear();
            return;
        }
        var iscale = -127f / max;
        for (var j = 0; j < 256; j++)
        {
            var v = (int)MathF.Round(iscale * x[j], MidpointRounding.ToEven);
            qs[j] = (sbyte)Math.Min(127, v);
        }
        for (var j = 0; j < 16; j++)
        {
            var sum = 0;
            for (var l = 0; l < 16; l++) sum += qs[j * 16 + l];
            bsums[j] = (short)sum;
        }
        Unsafe.WriteUnaligned(block, 1 / iscale);
    }
}
