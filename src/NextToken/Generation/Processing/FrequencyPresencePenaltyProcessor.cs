namespace NextToken.Generation.Processing;

/// <summary>
/// OpenAI's <c>frequency_penalty</c> and <c>presence_penalty</c>: logit[t] −= count(t)·frequency + (count(t) &gt; 0)·presence,
/// where count(t) is how often t occurs among the generated tokens (the prompt is not counted, as in the OpenAI API and
/// vLLM). Negative values encourage repeats. Both 0 turns it off.
/// </summary>
public sealed class FrequencyPresencePenaltyProcessor : LogitsProcessor
{
    public FrequencyPresencePenaltyProcessor(float frequencyPenalty, float presencePenalty)
    {
        if (!float.IsFinite(frequencyPenalty)) throw new ArgumentOutOfRangeException("frequency_penalty", frequencyPenalty, "frequency_penalty must be finite");
        if (!float.IsFinite(presencePenalty)) throw new ArgumentOutOfRangeException("presence_penalty", presencePenalty, "presence_penalty must be finite");
        FrequencyPenalty = frequencyPenalty;
        PresencePenalty = presencePenalty;
    }

    public float FrequencyPenalty { get; }
    public float PresencePenalty { get; }

    public override string Name => "frequency-presence-penalty";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        if (FrequencyPenalty == 0f && PresencePenalty == 0f) return;
        var counts = new Dictionary<int, int>();
        for (var i = context.PromptLength; i < context.Tokens.Count; i++)
            counts[context.Tokens[i]] = counts.GetValueOrDefault(context.Tokens[i]) + 1;
        foreach (var (id, count) in counts)
            candidates.AddToLogit(id, -(count * FrequencyPenalty + PresencePenalty));
    }

    public override LogitsProcessor Clone() => new FrequencyPresencePenaltyProcessor(FrequencyPenalty, PresencePenalty);
}
