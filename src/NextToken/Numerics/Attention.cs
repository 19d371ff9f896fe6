using System.Runtime.CompilerServices;
// Performance: each query head does one dot product per cached position and one scaled add per position into
// its output; TensorPrimitives.Dot and MultiplyAdd vectorise both over the head size. The caller spreads
// (token, head) pairs over the compute pool, which is where the parallelism pays.
using System.Numerics.Tensors;

namespace NextToken.Numerics;

/// <summary>Scaled dot-product attention of one query head over a run of cached keys and values.</summary>
public static class Attention
{
    /// <summary>
    /// probabilities[j] = softmax_j(scale · query · key_(first+j)) and output = Σ_j probabilities[j] · value_(first+j),
    /// for j &lt; <paramref name="count"/>. Keys and values are rows of <paramref name="rowStride"/> floats; this head's
    /// part of a row starts at <paramref name="headOffset"/> and is query.Length long.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Head(ReadOnlySpan<float> query, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, int rowStride, int headOffset,
        int first, int count, float scale, Span<float> probabilities, Span<float> output)
    {
        var headSize = Check(query, keys, values, rowStride, headOffset, first, count, probabilities, output);
        for (var j = 0; j < count; j++)
            probabilities[j] = scale * TensorPrimitives.Dot(query, keys.Slice((first + j) * rowStride + headOffset, headSize));
        Activations.Softmax(probabilities[..count]);
        var o = output[..headSize];
        o.Clear();
        for (var j = 0; j < count; j++)
            TensorPrimitives.MultiplyAdd(values.Slice((first + j) * rowStride + headOffset, headSize), probabilities[j], o, o);
    }

    /// <summary>The plain twin of <see cref="Head"/>.</summary>
    public static void HeadScalar(ReadOnlySpan<float> query, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, int rowStride, int headOffset,
        int first, int count, float scale, Span<float> probabilities, Span<float> output)
    {
        var headSize = Check(query, keys, values, rowStride, headOffset, first, count, probabilities, output);
        for (var j = 0; j < count; j++)
        {
            var key = keys.Slice((first + j) * rowStride + headOffset, headSize);
            float dot = 0;
            for (var d = 0; d < headSize; d++) dot += query[d] * key[d];
            probabilities[j] = scale * dot;
        }
        Activations.SoftmaxScalar(probabilities[..count]);
        for (var d = 0; d < headSize; d++) output[d] = 0;
        for (var j = 0; j < count; j++)
        {
            var value = values.Slice((first + j) * rowStride + headOffset, headSize);
            for (var d = 0; d < headSize; d++) output[d] += probabilities[j] * value[d];
        }
    }

    private static int Check(ReadOnlySpan<float> query, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, int rowStride, int headOffset,
        int first, int count, Span<float> probabilities, Span<float> output)
    {
        var headSize = query.Length;
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "attention needs at least one position");
        if (first < 0) throw new ArgumentOutOfRangeException(nameof(first), first, "the first position cannot be negative");
        if (headOffset < 0 || headOffset + headSize > rowStride) throw new ArgumentOutOfRangeException(nameof(headOffset), headOffset, "the head does not fit in a row");
        var needed = (long)(first + count) * rowStride;
        if (keys.Length < needed) throw new ArgumentException($"keys need {needed} values", nameof(keys));
        if (values.Length < needed) throw new ArgumentException($"values need {needed} values", nameof(values));
        if (probabilities.Length < count) throw new ArgumentException($"probabilities need room for {count}", nameof(probabilities));
        if (output.Length < headSize) throw new ArgumentException($"output needs room for {headSize}", nameof(output));
        return headSize;
    }
}
