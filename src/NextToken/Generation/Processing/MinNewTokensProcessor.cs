namespace NextToken.Generation.Processing;

/// <summary>Hugging Face's <c>min_new_tokens</c>: the end-of-sequence tokens are banned until this many tokens have been generated.</summary>
public sealed class MinNewTokensProcessor : LogitsProcessor
{
    private readonly int[] _eosTokenIds;

    public MinNewTokensProcessor(int minNewTokens, IEnumerable<int> eosTokenIds)
    {
        if (minNewTokens < 0) throw new ArgumentOutOfRangeException("min_new_tokens", minNewTokens, "min_new_tokens must be 0 or more");
        MinNewTokens = minNewTokens;
        _eosTokenIds = [.. eosTokenIds];
    }

    public int MinNewTokens { get; }

    public override string Name => "min-new-tokens";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        if (context.GeneratedCount >= MinNewTokens) return;
        foreach (var id in _eosTokenIds) candidates.Ban(id);
    }

    public override LogitsProcessor Clone() => new MinNewTokensProcessor(MinNewTokens, _eosTokenIds);
}
