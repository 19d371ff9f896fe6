namespace NextToken.Generation;

/// <summary>A token and its log-probability, reported as an alternative at one step.</summary>
/// <param name="Id">The token id.</param>
/// <param name="Piece">Its display form (<see cref="Tokenizers.Tokenizer.TokenToPiece"/>).</param>
/// <param name="Probability">Its probability in the distribution the step chose from.</param>
public sealed record TokenAlternative(int Id, string Piece, float Probability)
{
    /// <summary>Natural log of <see cref="Probability"/>.</summary>
    public float LogProbability => MathF.Log(Probability);
}

/// <summary>
/// One generated token, as streamed. <see cref="Text"/> is the text that became final with this token: possibly empty
/// (half of a multi-byte character, or text held back because it might begin a stop string), possibly more than the
/// token's own piece (held-back text released). Concatenating every <see cref="Text"/> gives the result's text.
/// </summary>
public sealed record GeneratedToken
{
    /// <summary>The token id.</summary>
    public required int Id { get; init; }

    /// <summary>0 for the first generated token.</summary>
    public required int Index { get; init; }

    /// <summary>The text this token completes (see the type's remarks).</summary>
    public required string Text { get; init; }

    /// <summary>Probability of the token in the distribution it was chosen from (after every processor).</summary>
    public required float Probability { get; init; }

    /// <summary>Natural log of <see cref="Probability"/>.</summary>
    public float LogProbability => MathF.Log(Probability);

    /// <summary>The most probable tokens of that distribution, best first (with <see cref="GenerationOptions.TopAlternatives"/>).</summary>
    public IReadOnlyList<TokenAlternative>? Alternatives { get; init; }

    /// <summary>The model's raw logits for this step (with <see cref="GenerationOptions.ReturnLogits"/>).</summary>
    public float[]? Logits { get; init; }

    /// <summary>The processed scores, −∞ where a processor removed a token (with <see cref="GenerationOptions.ReturnScores"/>).</summary>
    public float[]? Scores { get; init; }

    /// <summary>Set on the last token of the stream: why generation ended.</summary>
    public FinishReason? FinishReason { get; init; }
}
