using System.Runtime.CompilerServices;
// Performance: the reductions go through TensorPrimitives (Vector512/256 inside, with its own tails), which beat a
// hand-written loop at every width we tried; the scalar twins accumulate in double and are the tests' reference.
using System.Numerics.Tensors;

namespace NextToken.Numerics;

/// <summary>The normalizations of transformer blocks: RMSNorm (Llama) and LayerNorm (GPT-2).</summary>
public static class Normalization
{
    /// <summary>RMSNorm: destination[i] = x[i] / sqrt(mean(x²) + ε) · weight[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float epsilon, Span<float> destination)
    {
        CheckLengths(x, weight, destination);
        if (x.IsEmpty) return;
        var meanSquare = TensorPrimitives.SumOfSquares(x) / x.Length;
        var scale = 1f / MathF.Sqrt(meanSquare + epsilon);
        TensorPrimitives.Multiply(x, scale, destination);
        TensorPrimitives.Multiply(destination, weight, destination);
    }

    /// <summary>The plain twin of <see cref="RmsNorm"/>.</summary>
    public static void RmsNormScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float epsilon, Span<float> destination)
    {
        CheckLengths(x, weight, destination);
        if (x.IsEmpty) return;
        double sum = 0;
        foreach (var v in x) sum += (double)v * v;
        var scale = (float)(1.0 / Math.Sqrt(sum / x.Length + epsilon));
        for (var i = 0; i < x.Length; i++) destination[i] = x[i] * scale * weight[i];
    }

    /// <summary>LayerNorm: destination[i] = (x[i] − mean) / sqrt(var + ε) · weight[i] + bias[i] (biased variance, as PyTorch).</summary>
    public static void LayerNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float epsilon, Span<float> destination)
    {
        CheckLengths(x, weight, destination);
        if (bias.Length != x.Length) throw new ArgumentException($"bias has {bias.Length} values, x has {x.Length}", nameof(bias));
        if (x.IsEmpty) return;
        var mean = TensorPrimitives.Sum(x) / x.Length;
        TensorPrimitives.Subtract(x, mean, destination);
        var variance = TensorPrimitives.SumOfSquares(destination) / x.Length;
        var scale = 1f / MathF.Sqrt(variance + epsilon);
        TensorPrimitives.Multiply(destination, scale, destination);
        TensorPrimitives.FusedMultiplyAdd(destination, weight, bias, destination);
    }

    /// <summary>The plain twin of <see cref="LayerNorm"/>.</summary>
    public static void LayerNormScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float epsilon, Span<float> destination)
    {
        CheckLengths(x, weight, destination);
        if (bias.Length != x.Length) throw new ArgumentException($"bias has {bias.Length} values, x has {x.Length}", nameof(bias));
        if (x.IsEmpty) return;
        double sum = 0;
        foreach (var v in x) sum += v;
        var mean = sum / x.Length;
        double squares = 0;
        foreach (var v in x) squares += (v - mean) * (v - mean);
        var scale = 1.0 / Math.Sqrt(squares / x.Length + epsilon);
        for (var i = 0; i < x.Length; i++) destination[i] = (float)((x[i] - mean) * scale) * weight[i] + bias[i];
    }

    private static void CheckLengths(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> destination)
    {
        if (weight.Length != x.Length) throw new ArgumentException($"weight has {weight.Length} values, x has {x.Length}", nameof(weight));
        if (destination.Length < x.Length) throw new ArgumentException($"destination has room for {destination.Length} values, x has {x.Length}", nameof(destination));
    }
}
