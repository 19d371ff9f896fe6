namespace NextToken.Generation.Processing;

/// <summary>Picks the candidate with the highest logit (ties: the lower id), as <c>argmax</c> does.</summary>
public sealed class GreedySampler : LogitsProcessor
{
    public override string Name => "greedy";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        if (candidates.Count == 0) throw new InvalidOperationException("no candidates left to pick from");
        var logits = candidates.Logits;
        var ids = candidates.Ids;
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best] || (logits[i] == logits[best] && ids[i] < ids[best])) best = i;
        if (float.IsNegativeInfinity(logits[best])) throw new InvalidOperationException("every candidate has been banned (all logits are -infinity)");
        candidates.Selected = best;
    }

    public override LogitsProcessor Clone() => new GreedySampler();
}
