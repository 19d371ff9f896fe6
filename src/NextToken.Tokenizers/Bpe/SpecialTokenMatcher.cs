using System.Buffers;

namespace NextToken.Tokenizers.Bpe;

/// <summary>Finds special-token text (<c>&lt;|endoftext|&gt;</c>, <c>&lt;s&gt;</c>…) in input, longest token first at each position.</summary>
internal sealed class SpecialTokenMatcher
{
    private readonly (string Text, int Id)[] _tokens;   // longest first
    private readonly SearchValues<char> _firstChars;

    public SpecialTokenMatcher(IEnumerable<KeyValuePair<string, int>> tokens)
    {
        _tokens = tokens.Where(t => t.Key.Length > 0).Select(t => (t.Key, t.Value))
            .OrderByDescending(t => t.Key.Length).ThenBy(t => t.Key, StringComparer.Ordinal).ToArray();
        _firstChars = SearchValues.Create(_tokens.Select(t => t.Text[0]).Distinct().ToArray());
    }

    public bool IsEmpty => _tokens.Length == 0;

    /// <summary>The first special token at or after <paramref name="start"/>.</summary>
    public bool TryFindNext(ReadOnlySpan<char> text, int start, out int matchStart, out int length, out int id)
    {
        while (start < text.Length)
        {
            var i = text[start..].IndexOfAny(_firstChars);
            if (i < 0) break;
            start += i;
            foreach (var (t, tid) in _tokens)
            {
                if (text[start] == t[0] && text[start..].StartsWith(t, StringComparison.Ordinal))
                {
                    matchStart = start;
                    length = t.Length;
                    id = tid;
                    return true;
                }
            }
            start++;
        }
        matchStart = length = id = 0;
        return false;
    }
}
