namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// Finds the longest piece of a given set (user-defined pieces, or special tokens) that starts a span.
/// The set is small in practice; candidates are filtered by their first character.
/// </summary>
internal sealed class UserDefinedMatcher
{
    private readonly Dictionary<char, string[]> _byFirstChar;

    private UserDefinedMatcher(Dictionary<char, string[]> byFirstChar) => _byFirstChar = byFirstChar;

    /// <summary>A matcher for the given pieces (empty ones are ignored), or null when there are none.</summary>
    public static UserDefinedMatcher? Create(IEnumerable<string> pieces)
    {
        var groups = pieces.Where(p => p.Length > 0).Distinct(StringComparer.Ordinal)
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Length).ThenBy(p => p, StringComparer.Ordinal).ToArray());
        return groups.Count == 0 ? null : new UserDefinedMatcher(groups);
    }

    /// <summary>Length of the longest piece that <paramref name="text"/> starts with, or 0.</summary>
    public int Match(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !_byFirstChar.TryGetValue(text[0], out var candidates)) return 0;
        foreach (var candidate in candidates)
        {
            if (text.StartsWith(candidate, StringComparison.Ordinal)) return candidate.Length;
        }
        return 0;
    }

    /// <summary>The matched piece at the start of <paramref name="text"/>, or null.</summary>
    public string? MatchPiece(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !_byFirstChar.TryGetValue(text[0], out var candidates)) return null;
        foreach (var candidate in candidates)
        {
            if (text.StartsWith(candidate, StringComparison.Ordinal)) return candidate;
        }
        return null;
    }
}
