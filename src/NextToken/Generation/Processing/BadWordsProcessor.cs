namespace NextToken.Generation.Processing;

/// <summary>
/// Hugging Face's <c>bad_words_ids</c>: token sequences that must never be generated. A one-token sequence is always
/// banned; for a longer one, its last token is banned whenever the sequence so far ends with all its other tokens.
/// </summary>
public sealed class BadWordsProcessor : LogitsProcessor
{
    private readonly int[][] _sequences;

    public BadWordsProcessor(IEnumerable<IReadOnlyList<int>> badWordsIds)
    {
        ArgumentNullException.ThrowIfNull(badWordsIds, "bad_words_ids");
        _sequences = [.. badWordsIds.Select(s => s.ToArray())];
        foreach (var sequence in _sequences)
        {
            if (sequence.Length == 0) throw new ArgumentException("bad_words_ids must not contain an empty sequence", "bad_words_ids");
            if (sequence.Any(id => id < 0)) throw new ArgumentException("bad_words_ids must hold token ids (0 or more)", "bad_words_ids");
        }
    }

    /// <summary>The banned sequences.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Sequences => _sequences;

    public override string Name => "bad-words";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        var tokens = context.Tokens;
        foreach (var sequence in _sequences)
        {
            var prefix = sequence.Length - 1;
            if (prefix > tokens.Count) continue;
            var matches = true;
            for (var j = 0; j < prefix && matches; j++) matches = tokens[tokens.Count - prefix + j] == sequence[j];
            if (matches) candidates.Ban(sequence[^1]);
        }
    }

    public override LogitsProcessor Clone() => new BadWordsProcessor(_sequences);
}
