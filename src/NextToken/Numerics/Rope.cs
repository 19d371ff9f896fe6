using System.Runtime.CompilerServices;
// Performance: rotary embedding touches each query/key element once per token, a rounding error next to the
// matrix products, so the interleaved form stays one plain loop; the half form maps onto TensorPrimitives
// directly (two contiguous halves) and has a scalar twin for the tests.
using System.Numerics.Tensors;

namespace NextToken.Numerics;

/// <summary>Which elements of a head a rotary embedding rotates together.</summary>
public enum RopeStyle
{
    /// <summary>Adjacent pairs (2i, 2i+1), as in the original RoPE paper, GPT-J, llama2.c and GGUF llama files.</summary>
    Interleaved,

    /// <summary>Element i with element i + d/2 (<c>rotate_half</c>), as in GPT-NeoX and Hugging Face Llama, Qwen2.</summary>
    Half,
}

/// <summary>Rotary position embedding kernels: rotate one head in place by the angles whose cosines and sines are given.</summary>
public static class Rope
{
    /// <summary>Rotates pairs (2i, 2i+1) of <paramref name="head"/> by angle i, for i &lt; cos.Length; later elements are left alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyInterleaved(Span<float> head, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        Check(head, cos, sin);
        for (var i = 0; i < cos.Length; i++)
        {
            var x0 = head[2 * i];
            var x1 = head[2 * i + 1];
            head[2 * i] = x0 * cos[i] - x1 * sin[i];
            head[2 * i + 1] = x0 * sin[i] + x1 * cos[i];
        }
    }

    /// <summary>Rotates element i with element i + cos.Length by angle i (<c>rotate_half</c>); elements past 2·cos.Length are left alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyHalf(Span<float> head, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        Check(head, cos, sin);
        var half = cos.Length;
        var first = head[..half];
        var second = head.Slice(half, half);
        Span<float> scratch = half <= 256 ? stackalloc float[2 * half] : new float[2 * half];
        var original = scratch[..half];
        var product = scratch[half..];
        first.CopyTo(original);
        // first' = first·cos − second·sin; second' = second·cos + first·sin
        TensorPrimitives.Multiply(first, cos, first);
        TensorPrimitives.Multiply(second, sin, product);
        TensorPrimitives.Subtract(first, product, first);
        TensorPrimitives.Multiply(second, cos, second);
        TensorPrimitives.Multiply(original, sin, product);
        TensorPrimitives.Add(second, product, second);
    }

    /// <summary>The plain twin of <see cref="ApplyHalf"/>.</summary>
    public static void ApplyHalfScalar(Span<float> head, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        Check(head, cos, sin);
        var half = cos.Length;
        for (var i = 0; i < half; i++)
        {
            var x0 = head[i];
            var x1 = head[i + half];
            head[i] = x0 * cos[i] - x1 * sin[i];
            head[i + half] = x1 * cos[i] + x0 * sin[i];
        }
    }

    private static void Check(Span<float> head, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        if (sin.Length != cos.Length) throw new ArgumentException($"sin has {sin.Length} values, cos has {cos.Length}", nameof(sin));
        if (head.Length < 2 * cos.Length) throw new ArgumentException($"a head of {head.Length} values cannot rotate {2 * cos.Length}", nameof(head));
    }
}
