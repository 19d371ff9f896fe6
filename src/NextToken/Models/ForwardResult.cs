namespace NextToken.Models;

/// <summary>What one forward pass over <see cref="TokenCount"/> new tokens produced.</summary>
public sealed class ForwardResult
{
    public ForwardResult(int tokenCount, int vocabularySize, float[] logits, IReadOnlyList<float[]>? hiddenStates = null, IReadOnlyList<float[]>? attentions = null)
    {
        if (logits.Length % vocabularySize != 0) throw new ArgumentException("logits must be whole rows of the vocabulary", nameof(logits));
        TokenCount = tokenCount;
        VocabularySize = vocabularySize;
        Logits = logits;
        HiddenStates = hiddenStates;
        Attentions = attentions;
    }

    /// <summary>Number of tokens this pass consumed.</summary>
    public int TokenCount { get; }

    public int VocabularySize { get; }

    /// <summary>Rows of <see cref="VocabularySize"/> logits: one per fed token with <c>AllPositions</c>, else one (the last).</summary>
    public float[] Logits { get; }

    /// <summary>Number of logits rows.</summary>
    public int Rows => Logits.Length / VocabularySize;

    /// <summary>The logits row for the last fed token.</summary>
    public ReadOnlySpan<float> LastLogits => Logits.AsSpan((Rows - 1) * VocabularySize, VocabularySize);

    /// <summary>Logits row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> LogitsAt(int row)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"there are {Rows} logits rows");
        return Logits.AsSpan(row * VocabularySize, VocabularySize);
    }

    /// <summary>
    /// With <c>HiddenStates</c>: LayerCount + 1 arrays of [TokenCount, EmbeddingLength]; entry 0 is the input to the first
    /// layer (embeddings, plus positions for GPT-2), entry i the output of layer i, and the last entry is taken after the
    /// final norm, as Hugging Face's <c>hidden_states</c> does.
    /// </summary>
    public IReadOnlyList<float[]>? HiddenStates { get; }

    /// <summary>With <c>Attentions</c>: one array per layer of [HeadCount, TokenCount, SequenceLength] softmax probabilities.</summary>
    public IReadOnlyList<float[]>? Attentions { get; }
}
