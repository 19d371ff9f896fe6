using System.Buffers;
using NextToken.Numerics;

namespace NextToken.Models;

/// <summary>
/// What every decoder-only transformer session shares: the KV cache, growable scratch buffers, causal attention
/// over the cache, and collecting hidden states and attention probabilities when asked.
/// </summary>
internal abstract class TransformerSession : InferenceSession
{
    private readonly Dictionary<string, float[]> _scratch = new(StringComparer.Ordinal);

    protected TransformerSession(LanguageModel model, TransformerConfig config, ComputePool pool, int maxLength, KvCache? cache = null)
        : base(model, maxLength)
    {
        Config = config;
        Pool = pool;
        Cache = cache ?? new KvCache(config.LayerCount, config.KvLength, maxLength);
    }

    protected TransformerConfig Config { get; }
    protected ComputePool Pool { get; }
    protected KvCache Cache { get; }

    /// <summary>
    /// A scratch buffer of at least <paramref name="length"/> floats, kept between calls (contents undefined). Buffers
    /// come from the shared array pool and go back when the session is disposed, so sessions made one after another
    /// (scoring, beams, benchmarks) reuse them instead of leaving megabytes of large-object garbage each.
    /// </summary>
    protected Span<float> Scratch(string name, int length)
    {
        if (!_scratch.TryGetValue(name, out var buffer) || buffer.Length < length)
        {
            if (buffer is not null) ArrayPool<float>.Shared.Return(buffer);
            buffer = ArrayPool<float>.Shared.Rent(length);
            _scratch[name] = buffer;
        }
        return buffer.AsSpan(0, length);
    }

    public override void Dispose()
    {
        foreach (var buffer in _scratch.Values) ArrayPool<float>.Shared.Return(buffer);
        _scratch.Clear();
        base.Dispose();
    }

    /// <summary>Writes the keys and values of tokens start.. start+n (rows of [n, KvLength]) into layer <paramref name="layer"/>.</summary>
    protected void StoreKeysValues(int layer, int start, int n, ReadOnlySpan<float> keys, ReadOnlySpan<float> values)
    {
        var kv = Config.KvLength;
        keys[..(n * kv)].CopyTo(Cache.Keys(layer).Slice(start * kv));
        values[..(n * kv)].CopyTo(Cache.Values(layer).Slice(start * kv));
    }

    /// <summary>
    /// Causal (optionally sliding-window) attention of new tokens at positions start.. over the cache: queries are
    /// [n, HeadCount·HeadSize], output the same shape. Query head h reads key/value head h / (HeadCount / KvHeadCount).
    /// With <paramref name="probabilities"/> ([HeadCount, n, start + n]) the softmax weights are kept.
    /// </summary>
    protected void CausalAttention(int layer, ReadOnlySpan<float> queries, int n, int start, Span<float> output, float[]? probabilities)
    {
        var heads = Config.HeadCount;
        var headSize = Config.HeadSize;
        var group = heads / Config.KvHeadCount;
        var scale = 1f / MathF.Sqrt(headSize);
        var total = start + n;
        var window = Config.SlidingWindow;
        var keys = Cache.Keys(layer);
        var values = Cache.Values(layer);
        unsafe
        {
            fixed (float* q = queries, o = output, k = keys, v = values)
            {
                var (qp, op, kp, vp) = ((nint)q, (nint)o, (nint)k, (nint)v);
                var kvFloats = keys.Length;
                var queryLength = Config.QueryLength;
                var kvLength = Config.KvLength;
                Pool.ForWork((long)n * heads * total * headSize * 2).For(n * heads, (from, to) =>
                {
                    var scores = ArrayPool<float>.Shared.Rent(total);
                    try
                    {
                        for (var index = from; index < to; index++)
                        {
                            var token = index / heads;
                            var head = index % heads;
                            var position = start + token;
                            var first = window is { } w ? Math.Max(0, position - w + 1) : 0;
                            var count = position - first + 1;
                            var query = new ReadOnlySpan<float>((float*)qp + token * queryLength + head * headSize, headSize);
                            var result = new Span<float>((float*)op + token * queryLength + head * headSize, headSize);
                            Attention.Head(query, new ReadOnlySpan<float>((float*)kp, kvFloats), new ReadOnlySpan<float>((float*)vp, kvFloats),
                                kvLength, head / group * headSize, first, count, scale, scores, result);
                            if (probabilities is not null)
                                scores.AsSpan(0, count).CopyTo(probabilities.AsSpan(((head * n) + token) * total + first, count));
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(scores);
                    }
                });
            }
        }
    }

    /// <summary>Runs <paramref name="norm"/> on each of the n rows of <paramref name="x"/> ([n, width]) into <paramref name="destination"/>.</summary>
    protected static void ForEachRow(ReadOnlySpan<float> x, Span<float> destination, int n, int width, RowAction norm)
    {
        for (var i = 0; i < n; i++) norm(x.Slice(i * width, width), destination.Slice(i * width, width));
    }

    protected delegate void RowAction(ReadOnlySpan<float> row, Span<float> destination);

    /// <summary>Adds a bias to each of the n rows of <paramref name="y"/>.</summary>
    protected static void AddBias(Span<float> y, int n, ReadOnlySpan<float> bias)
    {
        for (var i = 0; i < n; i++)
        {
            var row = y.Slice(i * bias.Length, bias.Length);
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>The logits of the last row, or of every row, of the final hidden states.</summary>
    protected float[] Logits(WeightMatrix output, ReadOnlySpan<float> final, int n, ForwardOptions options)
    {
        var width = Config.EmbeddingLength;
        var rows = options.AllPositions ? n : 1;
        var logits = new float[rows * Config.VocabularySize];
        output.MatMul(final.Slice((n - rows) * width, rows * width), logits, rows, Pool);
        return logits;
    }

    protected override void TruncateCore(int length)
    {
        // Positions at and after length are overwritten by the next Forward; nothing to clear.
    }
}
