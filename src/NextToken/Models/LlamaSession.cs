using System.Numerics.Tensors;
using NextToken.Numerics;

namespace NextToken.Models;

/// <summary>
/// One sequence through a Llama-family model. The forward pass, per token row:
/// x = embed(token); per layer: x += Wo · attention(RoPE(Wq · rms(x)), RoPE(Wk · rms(x)), Wv · rms(x));
/// x += Wdown · (SiLU(Wgate · rms(x)) ⊙ Wup · rms(x)); logits = Wout · rms(x).
/// </summary>
internal sealed class LlamaSession : TransformerSession
{
    private readonly LlamaModel _model;
    private LlamaWeights W => _model.Weights;

    public LlamaSession(LlamaModel model, int maxLength, KvCache? cache = null)
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
        for (var i = 0; i < n; i++) W.TokenEmbedding.DequantizeRow(tokens[i], x.Slice(i * d, d));
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
            Normalization.RmsNorm(x.Slice(i * d, d), W.OutputNorm, Config.NormEpsilon, final.Slice(i * d, d));
        hidden?.Add(final.ToArray());
        var logits = Logits(W.Output, final, n, options);
        return new ForwardResult(n, Config.VocabularySize, logits, hidden, attentions);
    }

    /// <summary>x += Wo · attention(q, k, v) with RoPE on q and k; the new keys and values join the cache.</summary>
    private void SelfAttention(int layer, Span<float> x, int n, int start, float[]? probabilities)
    {
        var w = W.Layers[layer];
        var d = Config.EmbeddingLength;
        var qLength = Config.QueryLength;
        var kvLength = Config.KvLength;
        var normed = Scratch("normed", n * d);
        for (var i = 0; i < n; i++) Normalization.RmsNorm(x.Slice(i * d, d), w.AttentionNorm, Config.NormEpsilon, normed.Slice(i * d, d));

        var q = Scratch("q", n * qLength);
        var k = Scratch("k", n * kvLength);
        var v = Scratch("v", n * kvLength);
        w.Query.MatMul(normed, q, n, Pool);
        w.Key.MatMul(normed, k, n, Pool);
        w.Value.MatMul(normed, v, n, Pool);
        if (w.QueryBias is not null) AddBias(q, n, w.QueryBias);
        if (w.KeyBias is not null) AddBias(k, n, w.KeyBias);
        if (w.ValueBias is not null) AddBias(v, n, w.ValueBias);

        for (var i = 0; i < n; i++)
        {
            _model.Rotary.Rotate(q.Slice(i * qLength, qLength), Config.HeadCount, Config.HeadSize, start + i);
            _model.Rotary.Rotate(k.Slice(i * kvLength, kvLength), Config.KvHeadCount, Config.HeadSize, start + i);
        }
        StoreKeysValues(layer, start, n, k, v);

        var attended = Scratch("attended", n * qLength);
        CausalAttention(layer, q, n, start, attended, probabilities);
        var projected = Scratch("projected", n * d);
        w.AttentionOutput.MatMul(attended, projected, n, Pool);
        TensorPrimitives.Add(x, projected, x);
    }

    /// <summary>x += Wdown · SwiGLU(Wgate · rms(x), Wup · rms(x)).</summary>
    private void FeedForward(int layer, Span<float> x, int n)
    {
        var w = W.Layers[layer];
        var d = Config.EmbeddingLength;
        var f = Config.FeedForwardLength;
        var normed = Scratch("normed", n * d);
        for (var i = 0; i < n; i++) Normalization.RmsNorm(x.Slice(i * d, d), w.FeedForwardNorm, Config.NormEpsilon, normed.Slice(i * d, d));
        var gate = Scratch("gate", n * f);
        var up = Scratch("up", n * f);
        w.Gate.MatMul(normed, gate, n, Pool);
        w.Up.MatMul(normed, up, n, Pool);
        Activations.SwiGlu(gate, up, gate);
        var down = Scratch("down", n * d);
        w.Down.MatMul(gate, down, n, Pool);
        TensorPrimitives.Add(x, down, x);
    }

    protected override InferenceSession CloneCore() => new LlamaSession(_model, MaxLength, Cache.Clone(Length));
}
