using NextToken.Numerics;

namespace NextToken.Models;

/// <summary>The hyperparameters a forward pass needs, whatever file they came from.</summary>
internal sealed record TransformerConfig
{
    /// <summary>"llama", "mistral", "qwen2", "gpt2".</summary>
    public required string Architecture { get; init; }
    public required int VocabularySize { get; init; }
    public required int EmbeddingLength { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int KvHeadCount { get; init; }
    /// <summary>Elements per attention head (usually EmbeddingLength / HeadCount).</summary>
    public required int HeadSize { get; init; }
    public required int FeedForwardLength { get; init; }
    public required int ContextLength { get; init; }
    public required float NormEpsilon { get; init; }
    public double RopeTheta { get; init; } = 10000;
    /// <summary>Leading elements of each head that RoPE rotates (0: the whole head).</summary>
    public int RotaryDimensions { get; init; }
    public RopeStyle RopeStyle { get; init; } = RopeStyle.Interleaved;
    public RopeScaling? RopeScaling { get; init; }
    /// <summary>Tokens each position may attend to (itself included), when limited (Mistral).</summary>
    public int? SlidingWindow { get; init; }

    public int QueryLength => HeadCount * HeadSize;
    public int KvLength => KvHeadCount * HeadSize;

    /// <summary>Checks the sizes agree with each other; throws FileFormatException("model", path, …).</summary>
    public void Validate(string path)
    {
        FileFormatException Error(string problem) => new("model", path, problem);
        void Positive(string name, long value)
        {
            if (value <= 0) throw Error($"{name} is {value}, it must be positive");
        }
        Positive("the vocabulary size", VocabularySize);
        Positive("the embedding length", EmbeddingLength);
        Positive("the layer count", LayerCount);
        Positive("the head count", HeadCount);
        Positive("the key/value head count", KvHeadCount);
        Positive("the head size", HeadSize);
        Positive("the feed-forward length", FeedForwardLength);
        Positive("the context length", ContextLength);
        if (HeadCount % KvHeadCount != 0) throw Error($"{HeadCount} attention heads are not a multiple of {KvHeadCount} key/value heads");
        if (EmbeddingLength > 1 << 20 || FeedForwardLength > 1 << 22 || (long)HeadCount * HeadSize > 1 << 22 || LayerCount > 4096)
            throw Error("the model's sizes are implausibly large");
        if (!(NormEpsilon >= 0)) throw Error($"the norm epsilon {NormEpsilon} is not a non-negative number");
        if (Architecture != "gpt2")
        {
            var rotary = RotaryDimensions == 0 ? HeadSize : RotaryDimensions;
            if (rotary % 2 != 0 || rotary > HeadSize) throw Error($"RoPE over {rotary} dimensions does not fit heads of {HeadSize}");
            if (!(RopeTheta > 0)) throw Error($"rope theta {RopeTheta} must be positive");
            if (SlidingWindow is <= 0) throw Error($"the sliding window {SlidingWindow} must be positive");
        }
    }
}
