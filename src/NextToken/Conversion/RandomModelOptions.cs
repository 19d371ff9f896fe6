using NextToken.Numerics;

namespace NextToken.Conversion;

/// <summary>
/// The shape and encoding of a model with random weights (see <see cref="RandomModel"/>). Argument errors name the
/// property; the <c>nexttoken create-random</c> option for each is given in its documentation.
/// </summary>
public sealed record RandomModelOptions
{
    /// <summary>"llama" (RMSNorm, RoPE, SwiGLU, grouped-query attention) or "gpt2" (LayerNorm, learned positions, GELU, biases). <c>--arch</c>.</summary>
    public string Architecture { get; init; } = "llama";

    /// <summary>Embedding length (hidden size). <c>--dim</c>.</summary>
    public required int EmbeddingLength { get; init; }

    /// <summary>Transformer blocks. <c>--layers</c>.</summary>
    public required int LayerCount { get; init; }

    /// <summary>Attention heads. <c>--heads</c>.</summary>
    public required int HeadCount { get; init; }

    /// <summary>Key/value heads (grouped-query attention); null means one per head. <c>--kv-heads</c>.</summary>
    public int? KvHeadCount { get; init; }

    /// <summary>Feed-forward (MLP) width; null means 4 × the embedding length for GPT-2 (required for Llama). <c>--ffn</c>.</summary>
    public int? FeedForwardLength { get; init; }

    /// <summary>Vocabulary size; null means the tokenizer's size, or 32000 without one. <c>--vocab</c>.</summary>
    public int? VocabularySize { get; init; }

    /// <summary>Context length. <c>--context</c>.</summary>
    public int ContextLength { get; init; } = 2048;

    /// <summary>The type of the matrices. <c>--type</c>.</summary>
    public TensorType Type { get; init; } = TensorType.F32;

    /// <summary>The type of <c>output.weight</c>; null means llama.cpp's choice (<see cref="QuantizationTypes.OutputType"/>). <c>--output-type</c>.</summary>
    public TensorType? OutputType { get; init; }

    /// <summary>Seed of the weights: the same seed and options give a byte-identical file. <c>--seed</c>.</summary>
    public ulong Seed { get; init; }

    /// <summary>A SentencePiece tokenizer to embed (tokenizer.model, llama2.c tokenizer.bin, a GGUF with a llama vocabulary); null writes a synthetic one. <c>--tokenizer</c>.</summary>
    public string? TokenizerPath { get; init; }

    /// <summary><c>general.name</c>; null gives a name from the shape.</summary>
    public string? Name { get; init; }

    /// <summary>Standard deviation of the random weights.</summary>
    public float StandardDeviation { get; init; } = 0.02f;

    /// <summary>RMSNorm/LayerNorm epsilon.</summary>
    public float NormEpsilon { get; init; } = 1e-5f;

    /// <summary>RoPE base frequency (Llama).</summary>
    public float RopeTheta { get; init; } = 10000f;
}
