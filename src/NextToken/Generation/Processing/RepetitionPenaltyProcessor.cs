namespace NextToken.Generation.Processing;

/// <summary>
/// Hugging Face's <c>repetition_penalty</c> (Keskar et al. 2019): every distinct token already in the sequence (prompt
/// and generated tokens) has a positive logit divided by the penalty and a negative logit multiplied by it, so a
/// penalty above 1 always makes repeats less likely. 1 turns it off.
/// </summary>
public sealed class RepetitionPenaltyProcessor : LogitsProcessor
{
    /// <param name="penalty">Strictly positive.</param>
    public RepetitionPenaltyProcessor(float penalty)
    {
        if (!(penalty > 0) || float.IsInfinity(penalty))
            throw new ArgumentOutOfRangeException("repetition_penalty", penalty, "repetition_penalty must be a positive finite number");
        Penalty = penalty;
    }

    public float Penalty { get; }

    public override string Name => "repetition-penalty";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        if (Penalty == 1f) return;
        foreach (var id in new HashSet<int>(context.Tokens))
        {
            var logit = candidates.LogitOf(id);
            if (logit is not { } value) continue;
            candidates.SetLogit(id, value < 0 ? value * Penalty : value / Penalty);
        }
    }

    public override LogitsProcessor Clone() => new RepetitionPenaltyProcessor(Penalty);
}
