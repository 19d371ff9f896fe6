namespace NextToken.Generation.Processing;

/// <summary>
/// Min-p (<c>min_p</c>): keeps candidates whose probability is at least <c>min_p</c> times the top candidate's
/// probability, as Hugging Face and llama.cpp define it. 0 turns it off.
/// </summary>
public sealed class MinPProcessor : LogitsProcessor
{
    /// <param name="minP">In [0, 1].</param>
    /// <param name="minTokensToKeep">Never keep fewer than this many.</param>
    public MinPProcessor(float minP, int minTokensToKeep = 1)
    {
        if (!(minP >= 0 && minP <= 1)) throw new ArgumentOutOfRangeException("min_p", minP, "min_p must be in [0, 1]");
        if (minTokensToKeep < 1) throw new ArgumentOutOfRangeException("min_tokens_to_keep", minTokensToKeep, "min_tokens_to_keep must be at least 1");
        MinP = minP;
        MinTokensToKeep = minTokensToKeep;
    }

    public float MinP { get; }
    public int MinTokensToKeep { get; }

    public override string Name => "min-p";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        if (MinP <= 0f) return;
        candidates.Sort();
        candidates.EnsureProbabilities();
        var probabilities = candidates.Probabilities;
        var threshold = MinP * probabilities[0];
        var keep = 0;
        while (keep < probabilities.Length && probabilities[keep] >= threshold) keep++;
        candidates.Truncate(Math.Max(keep, MinTokensToKeep));
    }

    public override LogitsProcessor Clone() => new MinPProcessor(MinP, MinTokensToKeep);
}
