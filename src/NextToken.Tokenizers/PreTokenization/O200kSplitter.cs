namespace NextToken.Tokenizers.PreTokenization;

/// <summary>
/// o200k_base's split pattern, hand-coded. Words are an optional leading non-letter, then either
/// upper-like* lower-like+ or upper-like+ lower-like* (so "CamelCase" splits into "Camel" "Case"), then an
/// optional contraction; numbers come in groups of up to three digits; punctuation runs may end in newlines or slashes.
/// </summary>
/// <remarks>
/// Performance: see <see cref="Gpt2Splitter"/>. The regex's backtracking between the two overlapping letter
/// classes (<c>\p{Lm}\p{Lo}\p{M}</c> are in both) is resolved directly: the lower-like run starts at the last
/// lower-like code point of the upper-like run when the run is not followed by a lowercase letter.
/// </remarks>
internal sealed class O200kSplitter : ScanningSplitter
{
    public const string RegexPattern =
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static readonly O200kSplitter Instance = new();

    public override string Pattern => RegexPattern;

    protected override int PieceEnd(ReadOnlySpan<char> text, int start)
    {
        var flags = CharClass.At(text, start, out var width);
        var canPrefix = (flags & (CharClass.Letter | CharClass.Number | CharClass.Newline)) == 0 && start + width < text.Length;
        int end;
        if (canPrefix && (end = UpperStarLowerPlus(text, start + width)) > 0) return WithContraction(text, end);
        if ((end = UpperStarLowerPlus(text, start)) > 0) return WithContraction(text, end);
        if (canPrefix && (end = UpperPlusLowerStar(text, start + width)) > 0) return WithContraction(text, end);
        if ((end = UpperPlusLowerStar(text, start)) > 0) return WithContraction(text, end);
        if ((flags & CharClass.Number) != 0)
        {
            end = start + width;
            for (var n = 1; n < 3 && end < text.Length; n++)
            {
                if ((CharClass.At(text, end, out var w) & CharClass.Number) == 0) break;
                end += w;
            }
            return end;
        }
        var body = text[start] == ' ' && start + 1 < text.Length ? start + 1 : start;
        if ((CharClass.At(text, body, out _) & (CharClass.Letter | CharClass.Number | CharClass.Space)) == 0)
        {
            end = CharClass.OtherRunEnd(text, body);
            while (end < text.Length && text[end] is '\r' or '\n' or '/') end++;
            return end;
        }
        return WhitespaceEnd(text, start, newlineRule: true);
    }

    /// <summary><c>[upper-like]*[lower-like]+</c> at <paramref name="p"/>: its end, or -1.</summary>
    private static int UpperStarLowerPlus(ReadOnlySpan<char> text, int p)
    {
        var q = CharClass.RunEnd(text, p, CharClass.UpperLike);
        if (q < text.Length && (CharClass.At(text, q, out _) & CharClass.LowerLike) != 0)
            return CharClass.RunEnd(text, q, CharClass.LowerLike);
        // Backtrack: the lower-like run is the last lower-like code point inside the upper-like run.
        for (var k = q; k > p;)
        {
            var f = CharClass.Before(text, p, k, out var w);
            if ((f & CharClass.LowerLike) != 0) return k;
            k -= w;
        }
        return -1;
    }

    /// <summary><c>[upper-like]+[lower-like]*</c> at <paramref name="p"/>: its end, or -1.</summary>
    private static int UpperPlusLowerStar(ReadOnlySpan<char> text, int p)
    {
        var q = CharClass.RunEnd(text, p, CharClass.UpperLike);
        return q == p ? -1 : CharClass.RunEnd(text, q, CharClass.LowerLike);
    }

    private static int WithContraction(ReadOnlySpan<char> text, int end) => end + CharClass.Contraction(text, end, ignoreCase: true);
}
