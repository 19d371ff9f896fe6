namespace NextToken.Generation.Processing;

/// <summary>
/// Locally typical sampling (<c>typical_p</c>, Meister et al. 2022), as Hugging Face defines it: with entropy
/// H = −Σ p log p, rank candidates by |−log p − H| (most typical first) and keep the smallest prefix of that ranking
/// whose probabilities add up to at least <c>typical_p</c>. 1 turns it off.
/// </summary>
public sealed class TypicalPProcessor : LogitsProcessor
{
    /// <param name="typicalP">In (0, 1].</param>
    /// <param name="minTokensToKeep">Never keep fewer than this many.</param>
    public TypicalPProcessor(float typicalP, int minTokensToKeep = 1)
    {
        if (!(typicalP > 0 && typicalP <= 1)) throw new ArgumentOutOfRangeException("typical_p", typicalP, "typical_p must be in (0, 1]");
        if (minTokensToKeep < 1) throw new ArgumentOutOfRangeException("min_tokens_to_keep", minTokensToKeep, "min_tokens_to_keep must be at least 1");
        TypicalP = typicalP;
        MinTokensToKeep = minTokensToKeep;
    }

    public float TypicalP { get; }
    public int MinTokensToKeep { get; }

    public override string Name => "typical-p";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        if (TypicalP >= 1f) return;
        candidates.EnsureProbabilities();
        var probabilities = candidates.Probabilities;
        var n = probabilities.Length;
        double entropy = 0;
        for (var i = 0; i < n; i++)
            if (probabilities[i] > 0) entropy -= probabilities[i] * Math.Log(probabilities[i]);
        var surprise = new double[n];
        for (var i = 0; i < n; i++)
            surprise[i] = probabilities[i] > 0 ? Math.Abs(-Math.Log(probabilities[i]) - entropy) : double.PositiveInfinity;
        var order = Enumerable.Range(0, n).OrderBy(i => surprise[i]).ToArray();
        double cumulative = 0;
        var keepCount = n;
        for (var rank = 0; rank < n; rank++)
        {
            cumulative += probabilities[order[rank]];
            if (cumulative >= TypicalP - 1e-6)
            {
                keepCount = rank + 1;
                break;
            }
        }
        keepCount = Math.Min(n, Math.Max(keepCount, MinTokensToKeep));
        var keep = new bool[n];
        for (var rank = 0; rank < keepCount; rank++) keep[order[rank]] = true;
        candidates.Filter(i => keep[i]);
    }

    public override LogitsProcessor Clone() => new TypicalPProcessor(TypicalP, MinTokensToKeep);
}
