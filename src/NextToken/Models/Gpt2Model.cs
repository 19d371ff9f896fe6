using NextToken.Files;
using NextToken.Numerics;
using NextToken.Tokenizers;

namespace NextToken.Models;

/// <summary>GPT-2: learned positions, LayerNorm with bias, fused QKV projection, tanh GELU, tied embeddings.</summary>
internal sealed class Gpt2Model : LanguageModel
{
    private readonly IDisposable _source;

    private Gpt2Model(TransformerConfig config, Gpt2Weights weights, ModelInfo info, ComputePool pool, IDisposable source, Func<Tokenizer> tokenizer, GenerationDefaults? generationDefaults)
        : base(tokenizer)
    {
        Config = config;
        Weights = weights;
        Info = info;
        Pool = pool;
        _source = source;
        GenerationDefaults = generationDefaults;
    }

    public TransformerConfig Config { get; }
    public Gpt2Weights Weights { get; }
    public ComputePool Pool { get; }
    public override ModelInfo Info { get; }

    public static Gpt2Model Create(TransformerConfig config, TensorReader reader, Gpt2TensorNames names, ModelOptions options, IDisposable source,
        Func<Tokenizer> tokenizer, string format, string? name, GenerationDefaults? generation)
    {
        if (config.KvHeadCount != config.HeadCount || config.HeadSize * config.HeadCount != config.EmbeddingLength)
            throw reader.Error($"GPT-2 needs head size × heads = embedding length, got {config.HeadSize} × {config.HeadCount} ≠ {config.EmbeddingLength}");
        int d = config.EmbeddingLength, f = config.FeedForwardLength, vocab = config.VocabularySize;
        WeightMatrix Projection(string tensor, int rows, int columns) =>
            names.Transposed ? reader.TransposedMatrix(tensor, rows, columns) : reader.Matrix(tensor, rows, columns);
        var embedding = reader.Matrix(names.Prefix + names.TokenEmbedding, vocab, d);
        var layers = new Gpt2LayerWeights[config.LayerCount];
        for (var l = 0; l < layers.Length; l++)
        {
            string T(string part) => names.Prefix + names.Layer(l, part);
            layers[l] = new Gpt2LayerWeights
            {
                AttentionNormWeight = reader.Vector(T(names.AttentionNorm) + ".weight", d),
                AttentionNormBias = reader.Vector(T(names.AttentionNorm) + ".bias", d),
                QueryKeyValue = Projection(T(names.QueryKeyValue) + ".weight", 3 * d, d),
                QueryKeyValueBias = reader.Vector(T(names.QueryKeyValue) + ".bias", 3 * d),
                AttentionOutput = Projection(T(names.AttentionOutput) + ".weight", d, d),
                AttentionOutputBias = reader.Vector(T(names.AttentionOutput) + ".bias", d),
                FeedForwardNormWeight = reader.Vector(T(names.FeedForwardNorm) + ".weight", d),
                FeedForwardNormBias = reader.Vector(T(names.FeedForwardNorm) + ".bias", d),
                Up = Projection(T(names.Up) + ".weight", f, d),
                UpBias = reader.Vector(T(names.Up) + ".bias", f),
                Down = Projection(T(names.Down) + ".weight", d, f),
                DownBias = reader.Vector(T(names.Down) + ".bias", d),
            };
        }
        var weights = new Gpt2Weights
        {
            TokenEmbedding = embedding,
            PositionEmbedding = reader.Table(names.Prefix + names.PositionEmbedding, config.ContextLength, d),
            Layers = layers,
            OutputNormWeight = reader.Vector(names.Prefix + names.OutputNorm + ".weight", d),
            OutputNormBias = reader.Vector(names.Prefix + names.OutputNorm + ".bias", d),
            Output = reader.OptionalMatrix(names.Output, vocab, d) ?? embedding,
        };
        var info = ModelLoader.Describe(config, reader, format, name);
        return new Gpt2Model(config, weights, info, new ComputePool(options.Threads) { QuantizeActivations = options.QuantizeActivations }, source, tokenizer, generation);
    }

    public override InferenceSession CreateSession(int maxLength = 0)
    {
        if (maxLength < 0 || maxLength > Config.ContextLength)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"GPT-2 has learned positions for {Config.ContextLength} tokens; use 0..{Config.ContextLength}");
        return new Gpt2Session(this, maxLength == 0 ? Config.ContextLength : maxLength);
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

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
            Pool.Dispose();
        }
    }
}

/// <summary>How a file names GPT-2's tensors. Hugging Face stores projections as Conv1D [in, out] (transposed).</summary>
internal sealed record Gpt2TensorNames(string Prefix, string TokenEmbedding, string PositionEmbedding, string OutputNorm, string Output, bool Transposed,
    string LayerFormat, string AttentionNorm, string QueryKeyValue, string AttentionOutput, string FeedForwardNorm, string Up, string Down)
{
    public static Gpt2TensorNames Gguf { get; } = new("", "token_embd.weight", "position_embd.weight", "output_norm", "output.weight", false,
        "blk.{0}.{1}", "attn_norm", "attn_qkv", "attn_output", "ffn_norm", "ffn_up", "ffn_down");

    /// <summary>Hugging Face names, with the <c>transformer.</c> prefix when the checkpoint has it.</summary>
    public static Gpt2TensorNames HuggingFace(TensorReader reader) =>
        new(reader.Contains("transformer.wte.weight") ? "transformer." : "", "wte.weight", "wpe.weight", "ln_f", "lm_head.weight", true,
            "h.{0}.{1}", "ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj");

    public string Layer(int layer, string part) => string.Format(System.Globalization.CultureInfo.InvariantCulture, LayerFormat, layer, part);
}
