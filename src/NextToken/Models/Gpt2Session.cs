using System.Numerics.Tensors;
using NextToken.Numerics;

namespace NextToken.Models;

/// <summary>
/// One sequence through GPT-2. Per token row: x = wte[token] + wpe[position]; per block:
/// x += c_proj · attention(split(c_attn · LN₁(x))); x += W_down · GELU(W_up · LN₂(x)); logits = wte · LN_f(x).
/// </summary>
internal sealed class Gpt2Session : TransformerSession
{
    private readonly Gpt2Model _model;
    private Gpt2Weights W => _model.Weights;

    public Gpt2Session(Gpt2Model model, int maxLength, KvCache? cache = null)
        : base(model, model.Config, model.Pool, maxLength, cache) => _model = model;

    protected override ForwardResult ForwardCore(ReadOnlySpan<int> tokens, ForwardOptions options)
    {
        var n = tokens.Length;
        var start = Length;
        var d = Config.EmbeddingLength;
        Cache.EnsureCapacity(start + n);
        var hidden = options.HiddenStates ? new List<float[]>(Config.LayerCount + 1) : null;
        var attentions = options.Attentions ? new List<float[]>(Config.LayerCount) : null;

        var x = Scratch("x", n * d);
        for (var i = 0; i < n; i++)
        {
            var row = x.Slice(i * d, d);
            W.TokenEmbedding.DequantizeRow(tokens[i], row);
            TensorPrimitives.Add(row, W.PositionEmbedding.AsSpan((start + i) * d, d), row);
        }
        hidden?.Add(x.ToArray());

        for (var l = 0; l < Config.LayerCount; l++)
        {
            var probabilities = attentions is null ? null : new float[Config.HeadCount * n * (start + n)];
            SelfAttention(l, x, n, start, probabilities);
            FeedForward(l, x, n);
            if (probabilities is not null) attentions!.Add(probabilities);
            if (hidden is not null && l < Config.LayerCount - 1) hidden.Add(x.ToArray());
        }

        var final = Scratch("final", n * d);
        var normRows = options.AllPositions || hidden is not null ? n : 1;
        for (var i = n - normRows; i < n; i++)
            Normalization.LayerNorm(x.Slice(i * d, d), W.OutputNormWeight, W.OutputNormBias, Config.NormEpsilon, final.Slice(i * d, d));
        hidden?.Add(final.ToArray());
        var logits = Logits(W.Output, final, n, options);
        return new ForwardResult(n, Config.VocabularySize, logits, hidden, attentions);
    }

    /// <summary>x += c_proj · attention(q, k, v) where [q k v] = c_attn · LN₁(x); the new keys and values join the cache.</summary>
    private void SelfAttention(int layer, Span<float> x, int n, int start, float[]? probabilities)
    {
        var w = W.Layers[layer];
        var d = Config.EmbeddingLength;
        var normed = Scratch("normed", n * d);
        for (var i = 0; i < n; i++)
            Normalization.LayerNorm(x.Slice(i * d, d), w.AttentionNormWeight, w.AttentionNormBias, Config.NormEpsilon, normed.Slice(i * d, d));
        var qkv = Scratch("qkv", n * 3 * d);
        w.QueryKeyValue.MatMul(normed, qkv, n, Pool);
        AddBias(qkv, n, w.QueryKeyValueBias);

        var q = Scratch("q", n * d);
        var k = Scratch("k", n * d);
        var v = Scratch("v", n * d);
        for (var i = 0; i < n; i++)
        {
            var row = qkv.Slice(i * 3 * d, 3 * d);
            row[..d].CopyTo(q.Slice(i * d, d));
            row.Slice(d, d).CopyTo(k.Slice(i * d, d));
            row.Slice(2 * d, d).CopyTo(v.Slice(i * d, d));
        }
        StoreKeysValues(layer, start, n, k, v);

        var attended = Scratch("attended", n * d);
        CausalAttention(layer, q, n, start, attended, probabilities);
        var projected = Scratch("projected", n * d);
        w.AttentionOutput.MatMul(attended, projected, n, Pool);
        AddBias(projected, n, w.AttentionOutputBias);
        TensorPrimitives.Add(x, projected, x);
    }

    /// <summary>x += W_down · GELU(W_up · LN₂(x) + b_up) + b_down.</summary>
    private void FeedForward(int layer, Span<float> x, int n)
    {
        var w = W.Layers[layer];
        var d = Config.EmbeddingLength;
        var f = Config.FeedForwardLength;
        var normed = Scratch("normed", n * d);
        for (var i = 0; i < n; i++)
            Normalization.LayerNorm(x.Slice(i * d, d), w.FeedForwardNormWeight, w.FeedForwardNormBias, Config.NormEpsilon, normed.Slice(i * d, d));
        var up = Scratch("up", n * f);
        w.Up.MatMul(normed, up, n, Pool);
        AddBias(up, n, w.UpBias);
        Activations.GeluTanh(up, up);
        var down = Scratch("down", n * d);
        w.Down.MatMul(up, down, n, Pool);
        AddBias(down, n, w.DownBias);
        TensorPrimitives.Add(x, down, x);
    }

    protected override InferenceSession CloneCore() => new Gpt2Session(_model, MaxLength, Cache.Clone(Length));
}
