using NextToken.Files;
using NextToken.Numerics;
using NextToken.Tokenizers;

namespace NextToken.Models;

/// <summary>The Llama family: RMSNorm, RoPE, SwiGLU feed-forward, grouped-query attention; optional QKV biases (Qwen2) and sliding window (Mistral).</summary>
internal sealed class LlamaModel : LanguageModel
{
    private readonly IDisposable _source;

    public LlamaModel(TransformerConfig config, LlamaWeights weights, ModelInfo info, ComputePool pool, IDisposable source, Func<Tokenizer> tokenizer, GenerationDefaults? generationDefaults)
        : base(tokenizer)
    {
        Config = config;
        Weights = weights;
        Info = info;
        Pool = pool;
        _source = source;
        GenerationDefaults = generationDefaults;
        Rotary = new RotaryEmbedding(config.RotaryDimensions == 0 ? config.HeadSize : config.RotaryDimensions, config.RopeTheta, config.RopeStyle, config.RopeScaling, weights.RopeFrequencyFactors);
    }

    public TransformerConfig Config { get; }
    public LlamaWeights Weights { get; }
    public ComputePool Pool { get; }
    public RotaryEmbedding Rotary { get; }
    public override ModelInfo Info { get; }

    public override InferenceSession CreateSession(int maxLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        return new LlamaSession(this, maxLength == 0 ? Config.ContextLength : maxLength);
    }

    public override float[] Embed(ReadOnlySpan<int> ids)
    {
        var d = Config.EmbeddingLength;
        var result = new float[ids.Length * d];
        for (var i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)Config.VocabularySize) throw new ArgumentException($"token id {ids[i]} is outside the vocabulary (0..{Config.VocabularySize - 1})", nameof(ids));
            Weights.TokenEmbedding.DequantizeRow(ids[i], result.AsSpan(i * d, d));
        }
        return result;
    }

    /// <summary>Takes the weights out of a file, checking every shape against <paramref name="config"/>.</summary>
    public static LlamaWeights LoadWeights(TensorReader reader, TransformerConfig config, LlamaTensorNames names)
    {
        int d = config.EmbeddingLength, q = config.QueryLength, kv = config.KvLength, f = config.FeedForwardLength, vocab = config.VocabularySize;
        var embedding = reader.Matrix(names.TokenEmbedding, vocab, d);
        var layers = new LlamaLayerWeights[config.LayerCount];
        for (var l = 0; l < layers.Length; l++)
        {
            layers[l] = new LlamaLayerWeights
            {
                AttentionNorm = reader.Vector(names.Layer(l, LlamaTensor.AttentionNorm), d),
                Query = reader.Matrix(names.Layer(l, LlamaTensor.Query), q, d),
                Key = reader.Matrix(names.Layer(l, LlamaTensor.Key), kv, d),
                Value = reader.Matrix(names.Layer(l, LlamaTensor.Value), kv, d),
                QueryBias = reader.OptionalVector(names.Bias(l, LlamaTensor.Query), q),
                KeyBias = reader.OptionalVector(names.Bias(l, LlamaTensor.Key), kv),
                ValueBias = reader.OptionalVector(names.Bias(l, LlamaTensor.Value), kv),
                AttentionOutput = reader.Matrix(names.Layer(l, LlamaTensor.AttentionOutput), d, q),
                FeedForwardNorm = reader.Vector(names.Layer(l, LlamaTensor.FeedForwardNorm), d),
                Gate = reader.Matrix(names.Layer(l, LlamaTensor.Gate), f, d),
                Up = reader.Matrix(names.Layer(l, LlamaTensor.Up), f, d),
                Down = reader.Matrix(names.Layer(l, LlamaTensor.Down), d, f),
            };
        }
        var rotary = config.RotaryDimensions == 0 ? config.HeadSize : config.RotaryDimensions;
        return new LlamaWeights
        {
            TokenEmbedding = embedding,
            Layers = layers,
            OutputNorm = reader.Vector(names.OutputNorm, d),
            Output = reader.OptionalMatrix(names.Output, vocab, d) ?? embedding,
            RopeFrequencyFactors = names.RopeFrequencies is { } r ? reader.OptionalVector(r, rotary / 2) : null,
        };
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
            Pool.Dispose();
        }
    }
}

/// <summary>The tensors of a Llama block.</summary>
internal enum LlamaTensor { AttentionNorm, Query, Key, Value, AttentionOutput, FeedForwardNorm, Gate, Up, Down }

/// <summary>How a file names the Llama tensors: GGUF (<c>blk.0.attn_q.weight</c>) or Hugging Face (<c>model.layers.0.self_attn.q_proj.weight</c>).</summary>
internal sealed record LlamaTensorNames(string TokenEmbedding, string OutputNorm, string Output, string? RopeFrequencies, Func<int, LlamaTensor, string> LayerPrefix)
{
    public static LlamaTensorNames Gguf { get; } = new("token_embd.weight", "output_norm.weight", "output.weight", "rope_freqs.weight", (l, t) => $"blk.{l}." + t switch
    {
        LlamaTensor.AttentionNorm => "attn_norm",
        LlamaTensor.Query => "attn_q",
        LlamaTensor.Key => "attn_k",
        LlamaTensor.Value => "attn_v",
        LlamaTensor.AttentionOutput => "attn_output",
        LlamaTensor.FeedForwardNorm => "ffn_norm",
        LlamaTensor.Gate => "ffn_gate",
        LlamaTensor.Up => "ffn_up",
        _ => "ffn_down",
    });

    public static LlamaTensorNames HuggingFace { get; } = new("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight", null, (l, t) => $"model.layers.{l}." + t switch
    {
        LlamaTensor.AttentionNorm => "input_layernorm",
        LlamaTensor.Query => "self_attn.q_proj",
        LlamaTensor.Key => "self_attn.k_proj",
        LlamaTensor.Value => "self_attn.v_proj",
        LlamaTensor.AttentionOutput => "self_attn.o_proj",
        LlamaTensor.FeedForwardNorm => "post_attention_layernorm",
        LlamaTensor.Gate => "mlp.gate_proj",
        LlamaTensor.Up => "mlp.up_proj",
        _ => "mlp.down_proj",
    });

    public string Layer(int layer, LlamaTensor tensor) => LayerPrefix(layer, tensor) + ".weight";
    public string Bias(int layer, LlamaTensor tensor) => LayerPrefix(layer, tensor) + ".bias";
}
