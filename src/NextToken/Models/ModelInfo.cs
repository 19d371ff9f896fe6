using NextToken.Numerics;

namespace NextToken.Models;

/// <summary>What a loaded model is: its architecture, sizes and where it came from.</summary>
public sealed record ModelInfo
{
    /// <summary>"llama", "gpt2", "mistral", "qwen2"…</summary>
    public required string Architecture { get; init; }
    public required int VocabularySize { get; init; }
    /// <summary>Maximum sequence length the model was trained for.</summary>
    public required int ContextLength { get; init; }
    public required int EmbeddingLength { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int KvHeadCount { get; init; }
    public required int FeedForwardLength { get; init; }
    /// <summary>The file or folder it was loaded from.</summary>
    public required string Path { get; init; }
    /// <summary>"gguf", "safetensors", "llama2.c".</summary>
    public required string Format { get; init; }
    public long ParameterCount { get; init; }
    /// <summary>How many tensors of each type the model holds.</summary>
    public IReadOnlyDictionary<TensorType, int> TensorTypes { get; init; } = new Dictionary<TensorType, int>();
    /// <summary>Model name from the file's metadata, when present.</summary>
    public string? Name { get; init; }
}
