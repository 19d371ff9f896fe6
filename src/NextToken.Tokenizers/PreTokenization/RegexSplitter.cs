using System.Text;
using System.Text.RegularExpressions;

namespace NextToken.Tokenizers.PreTokenization;

/// <summary>
/// Any split pattern, through .NET <see cref="Regex"/>: the fallback for patterns without a hand-coded scanner.
/// Patterns written for Rust/Python/Oniguruma are translated first (possessive quantifiers become atomic groups,
/// <c>$</c> becomes end of text). Text between matches becomes a piece of its own, as Hugging Face's
/// <c>Split</c> with the <c>Isolated</c> behaviour and llama.cpp do.
/// </summary>
internal sealed class RegexSplitter : TextSplitter
{
    private readonly Regex _regex;

    public RegexSplitter(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex(Translate(pattern), RegexOptions.Compiled | RegexOptions.CultureInvariant);
    }

    public override string Pattern { get; }

    public override void Split(ReadOnlySpan<char> text, List<int> pieceEnds)
    {
        var position = 0;
        foreach (var match in _regex.EnumerateMatches(text))
        {
            if (match.Length == 0) continue;
            if (match.Index > position) pieceEnds.Add(match.Index);
            position = match.Index + match.Length;
            pieceEnds.Add(position);
        }
        if (position < text.Length) pieceEnds.Add(text.Length);
    }

    /// <summary>Rewrites the constructs .NET reads differently: <c>x++ x*+ x?+ x{n,m}+</c> → <c>(?&gt;x+)</c>…, <c>$</c> → <c>\z</c>.</summary>
    internal static string Translate(string pattern)
    {
        var output = new StringBuilder(pattern.Length + 16);
        var groupStarts = new Stack<int>();
        var lastAtomStart = -1;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var start = output.Length;
                var n = pattern[i + 1];
                var length = 2;
                if (n is 'p' or 'P' && i + 2 < pattern.Length && pattern[i + 2] == '{')
                {
                    var close = pattern.IndexOf('}', i + 2);
                    length = close < 0 ? pattern.Length - i : close - i + 1;
                }
                output.Append(pattern, i, length);
                i += length - 1;
                lastAtomStart = start;
            }
            else if (c == '[')
            {
                var start = output.Length;
                var j = i + 1;
                if (j < pattern.Length && pattern[j] == '^') j++;
                if (j < pattern.Length && pattern[j] == ']') j++;
                while (j < pattern.Length && pattern[j] != ']') j += pattern[j] == '\\' ? 2 : 1;
                var end = Math.Min(j, pattern.Length - 1);
                output.Append(pattern, i, end - i + 1);
                i = end;
                lastAtomStart = start;
            }
            else if (c == '(')
            {
                groupStarts.Push(output.Length);
                output.Append(c);
                lastAtomStart = -1;
            }
            else if (c == ')')
            {
                output.Append(c);
                lastAtomStart = groupStarts.Count > 0 ? groupStarts.Pop() : -1;
            }
            else if (c is '?' or '*' or '+' or '{')
            {
                // A quantifier; read it whole, then see whether a '+' makes it possessive.
                var j = i;
                if (c == '{')
                {
                    var close = pattern.IndexOf('}', i);
                    j = close < 0 ? i : close;
                }
                var quantifier = pattern.Substring(i, j - i + 1);
                var possessive = j + 1 < pattern.Length && pattern[j + 1] == '+' && lastAtomStart >= 0;
                if (possessive)
                {
                    output.Insert(lastAtomStart, "(?>");
                    output.Append(quantifier).Append(')');
                    i = j + 1;
                }
                else
                {
                    output.Append(quantifier);
                    i = j;
                    // A lazy '?' after the quantifier is kept as is.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '?' ) { output.Append('?'); i++; }
                }
                lastAtomStart = -1;
            }
            else if (c == '$')
            {
                output.Append(@"\z");
                lastAtomStart = -1;
            }
            else
            {
                lastAtomStart = output.Length;
                output.Append(c);
            }
        }
        return output.ToString();
    }
}
