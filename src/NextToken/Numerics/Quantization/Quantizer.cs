using System.Runtime.CompilerServices;

namespace NextToken.Numerics.Quantization;

/// <summary>
/// Encodes float32 weights as GGML tensor types, row by row (a block never spans two rows). Q8_0, Q4_0, Q4_1,
/// Q5_0 and Q5_1 follow GGML's reference quantizers (quantize_row_*_ref) exactly. The K-quants use a plain
/// min/max choice of scales, rounded up so every value is in range, so they are close to but not the same as
/// llama.cpp's search-based K-quant encoders; decoding is exact GGML either way.
/// </summary>
/// <example><code>
/// byte[] q = Quantizer.Quantize(TensorType.Q8_0, weights, columns: 2048);
/// var matrix = WeightMatrix.FromBytes(TensorType.Q8_0, q, rows: weights.Length / 2048, columns: 2048);
/// </code></example>
public static unsafe class Quantizer
{
    /// <summary>True when <see cref="Quantize"/> can encode <paramref name="type"/>.</summary>
    public static bool CanQuantize(TensorType type) => type is TensorType.F32 or TensorType.F16 or TensorType.BF16
        or TensorType.Q8_0 or TensorType.Q4_0 or TensorType.Q4_1 or TensorType.Q5_0 or TensorType.Q5_1
        or TensorType.Q2_K or TensorType.Q3_K or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K;

    /// <summary>
    /// Encodes <paramref name="values"/>, rows of <paramref name="columns"/> values, as <paramref name="type"/>;
    /// the result is <c>rows × WeightMatrix.RowByteLength(type, columns)</c> bytes.
    /// </summary>
    /// <exception cref="ArgumentException">The type cannot be encoded, or the values are not whole rows of whole blocks.</exception>
    public static byte[] Quantize(TensorType type, ReadOnlySpan<float> values, int columns)
    {
        if (!CanQuantize(type)) throw new ArgumentException($"cannot quantize to {type}", nameof(type));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        var rowBytes = WeightMatrix.RowByteLength(type, columns);
        if (values.Length % columns != 0)
            throw new ArgumentException($"{values.Length} values are not whole rows of {columns}", nameof(values));
        var rows = values.Length / columns;
        var result = new byte[checked(rows * rowBytes)];
        var block = WeightMatrix.BlockSize(type);
        var blockBytes = WeightMatrix.BlockBytes(type);
        fixed (float* x = values)
        fixed (byte* y = result)
        {
            var blocks = (long)values.Length / block;
            for (long b = 0; b < blocks; b++)
                QuantizeBlock(type, x + b * block, y + b * blockBytes);
        }
        return result;
    }

    private static void QuantizeBlock(TensorType type, float* x, byte* y)
    {
        switch (type)
        {
            case TensorType.F32: *(float*)y = *x; break;
            case TensorType.F16: Unsafe.WriteUnaligned(y, HalfConversion.ToHalf(*x)); break;
            case TensorType.BF16: Unsafe.WriteUnaligned(y, HalfConversion.ToBFloat16(*x)); break;
            case TensorType.Q8_0: Q8_0(x, y); break;
            case TensorType.Q4_0: Q4_0(x, y); break;
            case TensorType.Q4_1: Q4_1(x, y); break;
            case TensorType.Q5_0: Q5_0(x, y); break;
            case TensorType.Q5_1: Q5_1(x, y); break;
            default: KQuantizer.QuantizeBlock(type, x, y); break;
        }
    }

    /// <summary>GGML's reference Q8_0: d = amax/127, q = round-half-away(x/d).</summary>
    internal static void Q8_0(float* x, byte* y)
    {
        var amax = 0f;
        for (var j = 0; j < 32; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
        var d = amax / 127;
        var id = d != 0 ? 1 / d : 0;
        Unsafe.WriteUnaligned(y, HalfConversion.ToHalf(d));
        for (var j = 0; j < 32; j++) ((sbyte*)(y + 2))[j] = (sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
    }

    /// <summary>The value of largest magnitude, with its sign (the first one on a tie).</summary>
    private static float SignedMax(float* x)
    {
        float amax = 0, max = 0;
        for (var j = 0; j < 32; j++)
        {
            if (amax < MathF.Abs(x[j]))
            {
                amax = MathF.Abs(x[j]);
                max = x[j];
            }
        }
        return max;
    }

    private static void MinMax(float* x, out float min, out float max)
    {
        min = float.MaxValue;
        max = -float.MaxValue;
        for (var j = 0; j < 32; j++)
        {
            min = MathF.Min(min, x[j]);
            max = MathF.Max(max, x[j]);
        }
    }

    private static void Q4_0(float* x, byte* y)
    {
        var d = SignedMax(x) / -8;
        var id = d != 0 ? 1 / d : 0;
        Unsafe.WriteUnaligned(y, HalfConversion.ToHalf(d));
        for (var j = 0; j < 16; j++)
        {
            var q0 = Math.Min(15, (int)(sbyte)(x[j] * id + 8.5f));
            var q1 = Math.Min(15, (int)(sbyte)(x[j + 16] * id + 8.5f));
            y[2 + j] = (byte)(q0 | (q1 << 4));
        }
    }

    private static void Q4_1(float* x, byte* y)
    {
        MinMax(x, out var min, out var max);
        var d = (max - min) / 15;
        var id = d != 0 ? 1 / d : 0;
        Unsafe.WriteUnaligned(y, HalfConversion.ToHalf(d));
        Unsafe.WriteUnaligned(y + 2, HalfConversion.ToHalf(min));
        for (var j = 0; j < 16; j++)
        {
            var q0 = Math.Min(15, (int)(sbyte)((x[j] - min) * id + 0.5f));
            var q1 = Math.Min(15, (int)(sbyte)((x[j + 16] - min) * id + 0.5f));
            y[4 + j] = (byte)(q0 | (q1 << 4));
        }
    }

    private static void Q5_0(float* x, byte* y)
    {
        var d = SignedMax(x) / -16;
        var id = d != 0 ? 1 / d : 0;
        Unsafe.WriteUnaligned(y, HalfConversion.ToHalf(d));
        uint qh = 0;
        for (var j = 0; j < 16; j++)
        {
            var q0 = Math.Min(31, (int)(sbyte)(x[j] * id + 16.5f));
            var q1 = Math.Min(31, (int)(sbyte)(x[j + 16] * id + 16.5f));
            y[6 + j] = (byte)((q0 & 15) | ((q1 & 15) << 4));
            qh |= (uint)((q0 & 0x10) >> 4) << j;
            qh |= (uint)((q1 & 0x10) >> 4) << (j + 16);
        }
        Unsafe.WriteUnaligned(y + 2, qh);
    }

    private static void Q5_1(float* x, byte* y)
    {
        MinMax(x, out var min, out var max);
        var d = (max - min) / 31;
        var id = d != 0 ? 1 / d : 0;
        Unsafe.WriteUnaligned(y, HalfConversion.ToHalf(d));
        Unsafe.WriteUnaligned(y + 2, HalfConversion.ToHalf(min));
        uint qh = 0;
        for (var j = 0; j < 16; j++)
        {
            var q0 = Math.Min(31, (int)(byte)((x[j] - min) * id + 0.5f));
            var q1 = Math.Min(31, (int)(byte)((x[j + 16] - min) * id + 0.5f));
            y[8 + j] = (byte)((q0 & 15) | ((q1 & 15) << 4));
            qh |= (uint)((q0 & 0x10) >> 4) << j;
            qh |= (uint)((q1 & 0x10) >> 4) << (j + 16);
        }
        Unsafe.WriteUnaligned(y + 4, qh);
    }
}
