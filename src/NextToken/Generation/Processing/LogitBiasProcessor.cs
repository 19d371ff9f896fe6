namespace NextToken.Generation.Processing;

/// <summary>OpenAI's <c>logit_bias</c>: adds a fixed value to chosen tokens' logits (−∞ bans a token).</summary>
public sealed class LogitBiasProcessor : LogitsProcessor
{
    private readonly Dictionary<int, float> _bias;

    public LogitBiasProcessor(IReadOnlyDictionary<int, float> bias)
    {
        ArgumentNullException.ThrowIfNull(bias, "logit_bias");
        _bias = new Dictionary<int, float>(bias);
        foreach (var (id, value) in _bias)
        {
            if (id < 0) throw new ArgumentException($"logit_bias names token id {id}; ids are 0 or more", "logit_bias");
            if (float.IsNaN(value) || float.IsPositiveInfinity(value)) throw new ArgumentException($"logit_bias for token {id} must be finite or -infinity", "logit_bias");
        }
    }

    public IReadOnlyDictionary<int, float> Bias => _bias;

    public override string Name => "logit-bias";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        foreach (var (id, value) in _bias) candidates.AddToLogit(id, value);
    }

    public override LogitsProcessor Clone() => new LogitBiasProcessor(_bias);
}
