namespace NextToken.Generation;

/// <summary>One finished sequence (beam search can return several).</summary>
/// <param name="Text">The generated text, without the prompt and without the stop string that ended it.</param>
/// <param name="TokenIds">The generated ids (an end-of-sequence token that ended it included, as Hugging Face returns it).</param>
/// <param name="FinishReason">Why it ended.</param>
/// <param name="Score">Beam search: sum of log-probabilities / length^length_penalty. Otherwise the sum of the tokens' log-probabilities.</param>
public sealed record GeneratedSequence(string Text, IReadOnlyList<int> TokenIds, FinishReason FinishReason, double Score);

/// <summary>Statistics of speculative decoding.</summary>
/// <param name="Rounds">Target verification passes.</param>
/// <param name="DraftedTokens">Tokens the draft model proposed.</param>
/// <param name="AcceptedTokens">Proposals the target accepted.</param>
public sealed record SpeculativeStatistics(int Rounds, int DraftedTokens, int AcceptedTokens)
{
    /// <summary>AcceptedTokens / DraftedTokens (0 when nothing was drafted).</summary>
    public double AcceptanceRate => DraftedTokens == 0 ? 0 : (double)AcceptedTokens / DraftedTokens;
}

/// <summary>What a non-streaming generation returns.</summary>
public sealed record GenerationResult
{
    /// <summary>The generated text (the best sequence's, for beam search).</summary>
    public required string Text { get; init; }

    /// <summary>The generated ids.</summary>
    public required IReadOnlyList<int> TokenIds { get; init; }

    /// <summary>Why generation ended.</summary>
    public required FinishReason FinishReason { get; init; }

    /// <summary>The prompt's ids as fed to the model.</summary>
    public required IReadOnlyList<int> PromptIds { get; init; }

    /// <summary>Every streamed token with its details (for beam search: the best sequence's tokens, each with its own probability).</summary>
    public required IReadOnlyList<GeneratedToken> Tokens { get; init; }

    /// <summary>Beam search: <c>num_return_sequences</c> sequences, best first. Otherwise the one sequence.</summary>
    public required IReadOnlyList<GeneratedSequence> Sequences { get; init; }

    /// <summary>Speculative decoding's acceptance numbers; null for other strategies.</summary>
    public SpeculativeStatistics? Speculation { get; init; }
}
