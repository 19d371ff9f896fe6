namespace NextToken.Generation.Processing;

/// <summary>
/// Nucleus sampling (<c>top_p</c>): keeps the smallest set of most probable candidates whose probabilities add up to at
/// least <c>top_p</c>, then renormalises. This is the same set Hugging Face keeps (it drops the least probable tokens
/// whose cumulative probability stays at or below 1 − top_p). 1 turns it off.
/// </summary>
public sealed class TopPProcessor : LogitsProcessor
{
    /// <param name="topP">In (0, 1].</param>
    /// <param name="minTokensToKeep">Never keep fewer than this many.</param>
    public TopPProcessor(float topP, int minTokensToKeep = 1)
    {
        if (!(topP > 0 && topP <= 1)) throw new ArgumentOutOfRangeException("top_p", topP, "top_p must be in (0, 1]");
        if (minTokensToKeep < 1) throw new ArgumentOutOfRangeException("min_tokens_to_keep", minTokensToKeep, "min_tokens_to_keep must be at least 1");
        TopP = topP;
        MinTokensToKeep = minTokensToKeep;
    }

    public float TopP { get; }
    public int MinTokensToKeep { get; }

    public override string Name => "top-p";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        if (TopP >= 1f) return;
        candidates.Sort();
        candidates.EnsureProbabilities();
        var probabilities = candidates.Probabilities;
        double cumulative = 0;
        var keep = candidates.Count;
        for (var i = 0; i < probabilities.Length; i++)
        {
            cumulative += probabilities[i];
            if (cumulative >= TopP - 1e-6)
            {
                keep = i + 1;
                break;
            }
        }
        candidates.Truncate(Math.Max(keep, MinTokensToKeep));
    }

    public override LogitsProcessor Clone() => new TopPProcessor(TopP, MinTokensToKeep);
}
