namespace NextToken.Generation.Processing;

/// <summary>
/// Hugging Face's <c>no_repeat_ngram_size</c>: no n-gram of this size may occur twice in the sequence (prompt included),
/// so every token that would complete an n-gram already present is banned. 0 turns it off.
/// </summary>
public sealed class NoRepeatNgramProcessor : LogitsProcessor
{
    public NoRepeatNgramProcessor(int ngramSize)
    {
        if (ngramSize < 0) throw new ArgumentOutOfRangeException("no_repeat_ngram_size", ngramSize, "no_repeat_ngram_size must be 0 (off) or more");
        NgramSize = ngramSize;
    }

    public int NgramSize { get; }

    public override string Name => "no-repeat-ngram";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        var n = NgramSize;
        var tokens = context.Tokens;
        if (n == 0 || tokens.Count + 1 < n) return;
        if (n == 1)
        {
            foreach (var id in tokens) candidates.Ban(id);
            return;
        }
        // The last n-1 tokens are the prefix of the n-gram being formed; ban what followed that prefix before.
        var prefixStart = tokens.Count - (n - 1);
        for (var start = 0; start + n <= tokens.Count; start++)
        {
            var matches = true;
            for (var j = 0; j < n - 1 && matches; j++) matches = tokens[start + j] == tokens[prefixStart + j];
            if (matches) candidates.Ban(tokens[start + n - 1]);
        }
    }

    public override LogitsProcessor Clone() => new NoRepeatNgramProcessor(NgramSize);
}
