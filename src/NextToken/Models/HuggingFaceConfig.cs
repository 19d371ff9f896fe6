using System.Text.Json;
using NextToken.Numerics;

namespace NextToken.Models;

/// <summary>
/// The parts of a Hugging Face <c>config.json</c> a forward pass needs, with GPT-2's own key names
/// (<c>n_embd</c>, <c>n_layer</c>…) folded into the common ones.
/// </summary>
public sealed record HuggingFaceConfig
{
    /// <summary>"llama", "mistral", "qwen2", "gpt2" (from <c>model_type</c>, else from <c>architectures</c>).</summary>
    public required string Architecture { get; init; }
    public required string Path { get; init; }
    public IReadOnlyList<string> Architectures { get; init; } = [];
    public int? HiddenSize { get; init; }
    public int? LayerCount { get; init; }
    public int? HeadCount { get; init; }
    public int? KvHeadCount { get; init; }
    public int? IntermediateSize { get; init; }
    public int? HeadSize { get; init; }
    public double? NormEpsilon { get; init; }
    public double? RopeTheta { get; init; }
    public RopeScaling? RopeScaling { get; init; }
    public int? MaxPositions { get; init; }
    public int? VocabularySize { get; init; }
    public bool? TieWordEmbeddings { get; init; }
    public int? SlidingWindow { get; init; }
    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    /// <summary><c>hidden_act</c> (Llama) or <c>activation_function</c> (GPT-2).</summary>
    public string? Activation { get; init; }

    /// <summary>Reads and interprets <c>config.json</c>.</summary>
    public static HuggingFaceConfig Read(string path)
    {
        using var json = JsonConfig.Open(path, "config");
        var architectures = json.Strings("architectures");
        var modelType = json.String("model_type") ?? architectures.Select(FromClassName).FirstOrDefault(a => a is not null)
            ?? throw json.Error("neither model_type nor a known class in architectures says which architecture this is");
        var isGpt2 = modelType == "gpt2";
        // Qwen2 configs carry a sliding_window that is off unless use_sliding_window is true.
        var slidingWindow = json.Int("sliding_window");
        if (json.Bool("use_sliding_window") == false) slidingWindow = null;
        return new HuggingFaceConfig
        {
            Architecture = modelType,
            Path = path,
            Architectures = architectures,
            HiddenSize = isGpt2 ? json.Int("n_embd") : json.Int("hidden_size"),
            LayerCount = isGpt2 ? json.Int("n_layer") : json.Int("num_hidden_layers"),
            HeadCount = isGpt2 ? json.Int("n_head") : json.Int("num_attention_heads"),
            KvHeadCount = json.Int("num_key_value_heads"),
            IntermediateSize = isGpt2 ? json.Int("n_inner") : json.Int("intermediate_size"),
            HeadSize = json.Int("head_dim"),
            NormEpsilon = json.Number("rms_norm_eps") ?? json.Number("layer_norm_epsilon") ?? json.Number("layer_norm_eps"),
            RopeTheta = json.Number("rope_theta"),
            RopeScaling = ReadRopeScaling(json),
            MaxPositions = json.Int("max_position_embeddings") ?? json.Int("n_positions") ?? json.Int("n_ctx"),
            VocabularySize = json.Int("vocab_size"),
            TieWordEmbeddings = json.Bool("tie_word_embeddings"),
            SlidingWindow = slidingWindow,
            BosTokenId = json.Int("bos_token_id"),
            EosTokenIds = json.IntOrList("eos_token_id"),
            Activation = json.String("hidden_act") ?? json.String("activation_function"),
        };
    }

    private static string? FromClassName(string className) => className switch
    {
        "LlamaForCausalLM" => "llama",
        "MistralForCausalLM" => "mistral",
        "Qwen2ForCausalLM" => "qwen2",
        "GPT2LMHeadModel" => "gpt2",
        _ => null,
    };

    private static RopeScaling? ReadRopeScaling(JsonConfig json)
    {
        if (json.Element("rope_scaling") is not { } element) return null;
        if (element.ValueKind != JsonValueKind.Object) throw json.Error("'rope_scaling' should be an object");
        string? type = null;
        double? factor = null, low = null, high = null;
        int? original = null;
        foreach (var p in element.EnumerateObject())
        {
            switch (p.Name)
            {
                case "type" or "rope_type" when p.Value.ValueKind == JsonValueKind.String: type ??= p.Value.GetString(); break;
                case "factor" when p.Value.ValueKind == JsonValueKind.Number: factor = p.Value.GetDouble(); break;
                case "low_freq_factor" when p.Value.ValueKind == JsonValueKind.Number: low = p.Value.GetDouble(); break;
                case "high_freq_factor" when p.Value.ValueKind == JsonValueKind.Number: high = p.Value.GetDouble(); break;
                case "original_max_position_embeddings" when p.Value.ValueKind == JsonValueKind.Number: original = p.Value.GetInt32(); break;
            }
        }
        return type switch
        {
            "default" => null,
            "linear" => new RopeScaling("linear", factor ?? throw json.Error("linear rope_scaling needs a factor")),
            "llama3" => new RopeScaling("llama3", factor ?? throw json.Error("llama3 rope_scaling needs a factor"), low ?? 1, high ?? 4,
                original ?? throw json.Error("llama3 rope_scaling needs original_max_position_embeddings")),
            _ => throw json.Error($"rope_scaling type '{type}' is not supported (linear, llama3 are)"),
        };
    }

    /// <summary>The forward pass's hyperparameters; throws when a needed key is missing.</summary>
    internal TransformerConfig ToTransformerConfig()
    {
        int Need(int? value, string key) => value ?? throw new FileFormatException("config", Path, $"'{key}' is missing");
        var gpt2 = Architecture == "gpt2";
        var hidden = Need(HiddenSize, gpt2 ? "n_embd" : "hidden_size");
        var heads = Need(HeadCount, gpt2 ? "n_head" : "num_attention_heads");
        if (heads <= 0) throw new FileFormatException("config", Path, $"the head count {heads} must be positive");
        if (HeadSize is null && hidden % heads != 0) throw new FileFormatException("config", Path, $"hidden size {hidden} is not a multiple of {heads} heads");
        if (gpt2 && Activation is not (null or "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast"))
            throw new FileFormatException("config", Path, $"activation '{Activation}' is not supported for gpt2 (gelu_new is)");
        if (!gpt2 && Activation is not (null or "silu" or "swish"))
            throw new FileFormatException("config", Path, $"hidden_act '{Activation}' is not supported (silu is)");
        return new TransformerConfig
        {
            Architecture = Architecture,
            VocabularySize = Need(VocabularySize, "vocab_size"),
            EmbeddingLength = hidden,
            LayerCount = Need(LayerCount, gpt2 ? "n_layer" : "num_hidden_layers"),
            HeadCount = heads,
            KvHeadCount = KvHeadCount ?? heads,
            HeadSize = HeadSize ?? hidden / heads,
            FeedForwardLength = gpt2 ? IntermediateSize ?? 4 * hidden : Need(IntermediateSize, "intermediate_size"),
            ContextLength = Need(MaxPositions, gpt2 ? "n_positions" : "max_position_embeddings"),
            NormEpsilon = (float)(NormEpsilon ?? (gpt2 ? 1e-5 : 1e-6)),
            RopeTheta = RopeTheta ?? 10000,
            RopeStyle = RopeStyle.Half,
            RopeScaling = RopeScaling,
            SlidingWindow = Architecture == "gpt2" ? null : SlidingWindow,
        };
    }
}
