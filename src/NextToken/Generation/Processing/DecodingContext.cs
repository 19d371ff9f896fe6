namespace NextToken.Generation.Processing;

/// <summary>
/// What processors may look at: every token of the sequence so far (prompt first, then generated tokens).
/// Hugging Face's processors receive the same thing as <c>input_ids</c>.
/// </summary>
/// <param name="Tokens">Prompt tokens followed by generated tokens.</param>
/// <param name="PromptLength">How many of <paramref name="Tokens"/> are the prompt.</param>
public readonly record struct DecodingContext(IReadOnlyList<int> Tokens, int PromptLength)
{
    /// <summary>No tokens at all.</summary>
    public static DecodingContext Empty { get; } = new([], 0);

    /// <summary>A context where every token is generated (no prompt).</summary>
    public static DecodingContext Generated(params int[] tokens) => new(tokens, 0);

    /// <summary>Number of tokens generated so far.</summary>
    public int GeneratedCount => Tokens.Count - PromptLength;
}
