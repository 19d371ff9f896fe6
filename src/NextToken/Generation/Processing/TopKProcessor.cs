namespace NextToken.Generation.Processing;

/// <summary>
/// Keeps the <c>top_k</c> candidates with the highest logits (exactly k: on a tie at the k-th place the lower id wins,
/// as in llama.cpp; Hugging Face keeps every tied token). 0 turns it off.
/// </summary>
public sealed class TopKProcessor : LogitsProcessor
{
    /// <param name="topK">How many to keep; 0 keeps all.</param>
    /// <param name="minTokensToKeep">Never keep fewer than this many.</param>
    public TopKProcessor(int topK, int minTokensToKeep = 1)
    {
        if (topK < 0) throw new ArgumentOutOfRangeException("top_k", topK, "top_k must be 0 (off) or more");
        if (minTokensToKeep < 1) throw new ArgumentOutOfRangeException("min_tokens_to_keep", minTokensToKeep, "min_tokens_to_keep must be at least 1");
        TopK = topK;
        MinTokensToKeep = minTokensToKeep;
    }

    public int TopK { get; }
    public int MinTokensToKeep { get; }

    public override string Name => "top-k";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        if (TopK == 0 || TopK >= candidates.Count) return;
        candidates.Sort();
        candidates.Truncate(Math.Max(TopK, MinTokensToKeep));
    }

    public override LogitsProcessor Clone() => new TopKProcessor(TopK, MinTokensToKeep);
}
