namespace NextToken.Tokenizers.HuggingFace;

/// <summary>A <c>tokenizer.json</c> added token: text matched in the input before the model runs.</summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LeftStrip, bool RightStrip, bool SingleWord, bool Normalized)
{
    /// <summary>Finds the next added token at or after <paramref name="start"/>: the span it takes (with stripped blanks) and the token.</summary>
    public static bool TryFindNext(string text, int start, IReadOnlyList<AddedToken> tokens, out int matchStart, out int matchEnd, out AddedToken? found)
    {
        for (var i = start; i < text.Length; i++)
        {
            foreach (var t in tokens)   // longest first
            {
                if (text[i] != t.Content[0] || !text.AsSpan(i).StartsWith(t.Content, StringComparison.Ordinal)) continue;
                var end = i + t.Content.Length;
                if (t.SingleWord && ((i > 0 && IsWordChar(text[i - 1])) || (end < text.Length && IsWordChar(text[end])))) continue;
                var s = i;
                if (t.LeftStrip) while (s > start && char.IsWhiteSpace(text[s - 1])) s--;
                if (t.RightStrip) while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
                (matchStart, matchEnd, found) = (s, end, t);
                return true;
            }
        }
        (matchStart, matchEnd, found) = (0, 0, null);
        return false;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
