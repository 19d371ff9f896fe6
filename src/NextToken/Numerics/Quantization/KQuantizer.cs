using System.Runtime.CompilerServices;

namespace NextToken.Numerics.Quantization;

/// <summary>
/// Encoders for the K-quants (256-value super-blocks). Each group's scale (and min) comes from its range; the
/// super-block's f16 scales are rounded up and the per-group integer scales are rounded up (ceiling), so every value
/// lands inside the representable range and the error of a value is at most half its group's effective step.
/// </summary>
internal static unsafe class KQuantizer
{
    public static void QuantizeBlock(TensorType type, float* x, byte* y)
    {
        switch (type)
        {
            case TensorType.Q2_K: Q2_K(x, y); break;
            case TensorType.Q3_K: Q3_K(x, y); break;
            case TensorType.Q4_K: Q4OrQ5_K(x, y, fiveBits: false); break;
            case TensorType.Q5_K: Q4OrQ5_K(x, y, fiveBits: true); break;
            case TensorType.Q6_K: Q6_K(x, y); break;
            default: throw new ArgumentException($"cannot quantize to {type}", nameof(type));
        }
    }

    /// <summary>The smallest half ≥ <paramref name="value"/> (value ≥ 0), as bits.</summary>
    private static ushort HalfAtLeast(float value)
    {
        var bits = HalfConversion.ToHalf(value);
        return HalfConversion.ToSingle(bits) < value ? (ushort)(bits + 1) : bits;
    }

    /// <summary>⌈a / b⌉ clamped to [0, max]; 0 when b is 0.</summary>
    private static int CeilingRatio(float a, float b, int max) => b > 0 ? Math.Clamp((int)MathF.Ceiling(a / b), 0, max) : 0;

    private static int Quantize(float value, float step, int min, int max) =>
        step > 0 ? Math.Clamp((int)MathF.Round(value / step, MidpointRounding.AwayFromZero), min, max) : Math.Clamp(0, min, max);

    /// <summary>
    /// Asymmetric groups (value = d·scale·q − dmin·min): picks the super-block scales and each group's integer scale and
    /// min (0–<paramref name="scaleMax"/>), then the quants (0–<paramref name="levels"/>).
    /// </summary>
    private static void Asymmetric(float* x, int groups, int groupSize, int levels, int scaleMax,
        out ushort d, out ushort dmin, int* scales, int* mins, byte* q)
    {
        var needMin = stackalloc float[groups];
        var groupMax = stackalloc float[groups];
        var largestMin = 0f;
        for (var g = 0; g < groups; g++)
        {
            float min = 0, max = float.MinValue;
            for (var l = 0; l < groupSize; l++)
            {
                min = MathF.Min(min, x[g * groupSize + l]);
                max = MathF.Max(max, x[g * groupSize + l]);
            }
            needMin[g] = -min;
            groupMax[g] = max;
            largestMin = MathF.Max(largestMin, -min);
        }
        dmin = HalfAtLeast(largestMin / scaleMax);
        var dminValue = HalfConversion.ToSingle(dmin);
        var needScale = stackalloc float[groups];
        var largestScale = 0f;
        for (var g = 0; g < groups; g++)
        {
            mins[g] = CeilingRatio(needMin[g], dminValue, scaleMax);
            needScale[g] = MathF.Max(0, (groupMax[g] + dminValue * mins[g]) / levels);
            largestScale = MathF.Max(largestScale, needScale[g]);
        }
        d = HalfAtLeast(largestScale / scaleMax);
        var dValue = HalfConversion.ToSingle(d);
        for (var g = 0; g < groups; g++)
        {
            scales[g] = CeilingRatio(needScale[g], dValue, scaleMax);
            var step = dValue * scales[g];
            var offset = dminValue * mins[g];
            for (var l = 0; l < groupSize; l++)
                q[g * groupSize + l] = (byte)Quantize(x[g * groupSize + l] + offset, step, 0, levels);
        }
    }

    /// <summary>
    /// Symmetric groups (value = d·scale·q): each group's step is amax/<paramref name="levels"/>, the integer scales
    /// (0–<paramref name="scaleMax"/>) are rounded up, quants are in [−levels−1, levels].
    /// </summary>
    private static ushort Symmetric(float* x, int groups, int groupSize, int levels, int scaleMax, int* scales, int* q)
    {
        var need = stackalloc float[groups];
        var largest = 0f;
        for (var g = 0; g < groups; g++)
        {
            var amax = 0f;
            for (var l = 0; l < groupSize; l++) amax = MathF.Max(amax, MathF.Abs(x[g * groupSize + l]));
            need[g] = amax / levels;
            largest = MathF.Max(largest, need[g]);
        }
        var d = HalfAtLeast(largest / scaleMax);
        var dValue = HalfConversion.ToSingle(d);
        for (var g = 0; g < groups; g++)
        {
            scales[g] = CeilingRatio(need[g], dValue, scaleMax);
            var step = dValue * scales[g];
            for (var l = 0; l < groupSize; l++)
                q[g * groupSize + l] = Quantize(x[g * groupSize + l], step, -levels - 1, levels);
        }
        return d;
    }

    private static void Q2_K(float* x, byte* y)
    {
        var scales = stackalloc int[16];
        var mins = stackalloc int[16];
        var q = stackalloc byte[256];
        Asymmetric(x, 16, 16, 3, 15, out var d, out var dmin, scales, mins, q);
        new Span<byte>(y, 84).Clear();
        for (var g = 0; g < 16; g++) y[g] = (byte)(scales[g] | (mins[g] << 4));
        for (var i = 0; i < 256; i++)
        {
            var r = i & 127;
            y[16 + (i >> 7) * 32 + (r & 31)] |= (byte)(q[i] << (2 * (r >> 5)));
        }
        Unsafe.WriteUnaligned(y + 80, d);
        Unsafe.WriteUnaligned(y + 82, dmin);
    }

    private static void Q3_K(float* x, byte* y)
    {
        var scales = stackalloc int[16];
        var q = stackalloc int[256];
        var d = Symmetric(x, 16, 16, 3, 31, scales, q);
        new Span<byte>(y, 110).Clear();
        for (var i = 0; i < 256; i++)
        {
            var u = q[i] + 4; // 0–7: two low bits in qs, the third in hmask
            var half = i >> 7;
            var r = i & 127;
            var l = r & 31;
            y[32 + half * 32 + l] |= (byte)((u & 3) << (2 * (r >> 5)));
            if (u >= 4) y[l] |= (byte)(1 << (half * 4 + (r >> 5)));
        }
        var packed = y + 96;
        for (var j = 0; j < 16; j++)
        {
            var u = scales[j] + 32;
            packed[j & 7] |= (byte)((u & 15) << (4 * (j >> 3)));
            packed[8 + (j & 3)] |= (byte)((u >> 4) << (2 * (j >> 2)));
        }
        Unsafe.WriteUnaligned(y + 108, d);
    }

    private static void Q4OrQ5_K(float* x, byte* y, bool fiveBits)
    {
        var scales = stackalloc int[8];
        var mins = stackalloc int[8];
        var q = stackalloc byte[256];
        Asymmetric(x, 8, 32, fiveBits ? 31 : 15, 63, out var d, out var dmin, scales, mins, q);
        new Span<byte>(y, fiveBits ? 176 : 144).Clear();
        Unsafe.WriteUnaligned(y, d);
        Unsafe.WriteUnaligned(y + 2, dmin);
        var packed = y + 4;
        for (var j = 0; j < 8; j++)
        {
            if (j < 4)
            {
                packed[j] = (byte)scales[j];
                packed[j + 4] = (byte)mins[j];
            }
            else
            {
                packed[j + 4] = (byte)((scales[j] & 15) | ((mins[j] & 15) << 4));
                packed[j - 4] |= (byte)((scales[j] >> 4) << 6);
                packed[j] |= (byte)((mins[j] >> 4) << 6);
            }
        }
        var qs = y + (fiveBits ? 48 : 16);
        var qh = y + 16;
        for (var c = 0; c < 4; c++)
            for (var l = 0; l < 32; l++)
            {
                int low = q[64 * c + l], high = q[64 * c + 32 + l];
                qs[32 * c + l] = (byte)((low & 15) | ((high & 15) << 4));
                if (fiveBits) qh[l] |= (byte)(((low >> 4) << (2 * c)) | ((high >> 4) << (2 * c + 1)));
            }
    }

    private static void Q6_K(float* x, byte* y)
    {
        var scales = stackalloc int[16];
        var q = stackalloc int[256];
        var d = Symmetric(x, 16, 16, 31, 127, scales, q);
        new Span<byte>(y, 210).Clear();
        for (var i = 0; i < 256; i++)
        {
            var u = q[i] + 32;
            var half = i >> 7;
            var r = i & 127;
            var quarter = r >> 5;
            var l = r & 31;
            y[half * 64 + (quarter & 1) * 32 + l] |= (byte)((u & 15) << (4 * (quarter >> 1)));
            y[128 + half * 32 + l] |= (byte)((u >> 4) << (2 * quarter));
        }
        for (var g = 0; g < 16; g++) ((sbyte*)(y + 192))[g] = (sbyte)scales[g];
        Unsafe.WriteUnaligned(y + 208, d);
    }
}
