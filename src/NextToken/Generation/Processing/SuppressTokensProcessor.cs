namespace NextToken.Generation.Processing;

/// <summary>Hugging Face's <c>suppress_tokens</c>: these tokens are never generated.</summary>
public sealed class SuppressTokensProcessor : LogitsProcessor
{
    private readonly int[] _ids;

    public SuppressTokensProcessor(IEnumerable<int> suppressTokens)
    {
        ArgumentNullException.ThrowIfNull(suppressTokens, "suppress_tokens");
        _ids = [.. suppressTokens];
        if (_ids.Any(id => id < 0)) throw new ArgumentException("suppress_tokens must hold token ids (0 or more)", "suppress_tokens");
    }

    public IReadOnlyList<int> Ids => _ids;

    public override string Name => "suppress-tokens";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        foreach (var id in _ids) candidates.Ban(id);
    }

    public override LogitsProcessor Clone() => new SuppressTokensProcessor(_ids);
}
