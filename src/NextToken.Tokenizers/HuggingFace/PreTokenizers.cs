using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NextToken.Tokenizers.Bpe;
using NextToken.Tokenizers.PreTokenization;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>How a split keeps the matched delimiters (Hugging Face's <c>SplitDelimiterBehavior</c>).</summary>
internal enum SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

/// <summary>A <c>tokenizer.json</c> pre-tokenizer: cuts each piece of text into smaller pieces (and may rewrite them).</summary>
internal abstract class PreTokenizer
{
    /// <param name="pieces">The pieces so far.</param>
    /// <param name="isFirstSection">True for the text before any added token (Metaspace's <c>prepend_scheme: first</c>).</param>
    public abstract List<TextWithOffsets> Apply(List<TextWithOffsets> pieces, bool isFirstSection);

    public static PreTokenizer? Read(JsonElement? element, JsonFields f)
    {
        if (element is not { } e) return null;
        var type = f.Type(e, "pre_tokenizer");
        switch (type)
        {
            case "Sequence":
                return new SequencePreTokenizer(f.Array(e, "pretokenizers", type).EnumerateArray().Select(p => Read(p, f)!).ToArray());
            case "ByteLevel":
                return new ByteLevelPreTokenizer(f.Bool(e, "add_prefix_space", true, type), f.Bool(e, "use_regex", true, type));
            case "Split":
            {
                var (pattern, literal) = f.Pattern(e, type);
                var behavior = ParseBehavior(f.String(e, "behavior", type) ?? "Isolated", f);
                var invert = f.Bool(e, "invert", false, type);
                // The usual Split(pattern, Isolated) is exactly what a TextSplitter does: use the scanner when there is one.
                if (!literal && behavior == SplitBehavior.Isolated && !invert) return new SplitterPreTokenizer(SplitPatterns.For(pattern));
                return new RegexSplitPreTokenizer(new Regex(literal ? Regex.Escape(pattern) : RegexSplitter.Translate(pattern),
                    RegexOptions.CultureInvariant), behavior, invert);
            }
            case "Metaspace":
            {
                var replacement = f.String(e, "replacement", type) ?? "▁";
                var scheme = f.String(e, "prepend_scheme", type) ?? (f.Bool(e, "add_prefix_space", true, type) ? "always" : "never");
                return new MetaspacePreTokenizer(replacement, scheme, f.Bool(e, "split", true, type));
            }
            case "Whitespace":
                return new RegexSplitPreTokenizer(new Regex(@"\w+|[^\w\s]+", RegexOptions.CultureInvariant), SplitBehavior.Removed, invert: true);
            case "WhitespaceSplit":
                return new RegexSplitPreTokenizer(new Regex(@"\s+", RegexOptions.CultureInvariant), SplitBehavior.Removed, invert: false);
            case "Digits":
                return new RegexSplitPreTokenizer(new Regex(f.Bool(e, "individual_digits", false, type) ? @"\p{N}" : @"\p{N}+"),
                    SplitBehavior.Isolated, invert: false);
            case "Punctuation":
                return new RegexSplitPreTokenizer(new Regex(@"\p{P}|[$+<=>^`|~]"), ParseBehavior(f.String(e, "behavior", type) ?? "Isolated", f), invert: false);
            case "BertPreTokenizer":
                return new SequencePreTokenizer([
                    new RegexSplitPreTokenizer(new Regex(@"\s+"), SplitBehavior.Removed, invert: false),
                    new RegexSplitPreTokenizer(new Regex(@"\p{P}|[$+<=>^`|~]"), SplitBehavior.Isolated, invert: false),
                ]);
            default:
                throw f.Error($"pre_tokenizer type '{type}' is not supported");
        }
    }

    private static SplitBehavior ParseBehavior(string s, JsonFields f) => s switch
    {
        "Removed" => SplitBehavior.Removed,
        "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        _ => throw f.Error($"split behavior '{s}' is not known"),
    };

    /// <summary>Cuts a piece at the given matches following a split behaviour.</summary>
    protected static void SplitAt(TextWithOffsets piece, List<(int Start, int End)> matches, SplitBehavior behavior, bool invert, List<TextWithOffsets> output)
    {
        // Segments: (start, end, isDelimiter)
        var segments = new List<(int Start, int End, bool Delimiter)>();
        var position = 0;
        foreach (var (s, e) in matches)
        {
            if (s > position) segments.Add((position, s, invert));
            segments.Add((s, e, !invert));
            position = e;
        }
        if (position < piece.Length) segments.Add((position, piece.Length, invert));
        var lastStart = -1;   // start of the last piece this call added
        for (var i = 0; i < segments.Count; i++)
        {
            var (s, e, delimiter) = segments[i];
            switch (behavior)
            {
                case SplitBehavior.Removed:
                    if (!delimiter) output.Add(piece.Slice(s, e - s));
                    break;
                case SplitBehavior.Isolated:
                    output.Add(piece.Slice(s, e - s));
                    break;
                case SplitBehavior.Contiguous:
                    var end = e;
                    while (i + 1 < segments.Count && segments[i + 1].Delimiter == delimiter) end = segments[++i].End;
                    output.Add(piece.Slice(s, end - s));
                    break;
                case SplitBehavior.MergedWithPrevious:
                    // A delimiter joins the piece before it when that piece is not itself a delimiter.
                    if (delimiter && lastStart >= 0 && !segments[i - 1].Delimiter) output[^1] = piece.Slice(lastStart, e - lastStart);
                    else { output.Add(piece.Slice(s, e - s)); lastStart = s; }
                    break;
                case SplitBehavior.MergedWithNext:
                    // A delimiter joins the piece after it when that piece is not itself a delimiter.
                    if (delimiter && i + 1 < segments.Count && !segments[i + 1].Delimiter)
                    {
                        output.Add(piece.Slice(s, segments[i + 1].End - s));
                        i++;
                    }
                    else output.Add(piece.Slice(s, e - s));
                    break;
            }
        }
    }
}

internal sealed class SequencePreTokenizer(PreTokenizer[] steps) : PreTokenizer
{
    public IReadOnlyList<PreTokenizer> Steps => steps;

    public override List<TextWithOffsets> Apply(List<TextWithOffsets> pieces, bool isFirstSection)
    {
        foreach (var step in steps) pieces = step.Apply(pieces, isFirstSection);
        return pieces;
    }
}

/// <summary>Split with a regex and a behaviour (and Whitespace, Digits, Punctuation, which are fixed regexes).</summary>
internal sealed class RegexSplitPreTokenizer(Regex regex, SplitBehavior behavior, bool invert) : PreTokenizer
{
    public override List<TextWithOffsets> Apply(List<TextWithOffsets> pieces, bool isFirstSection)
    {
        var output = new List<TextWithOffsets>();
        var matches = new List<(int, int)>();
        foreach (var piece in pieces)
        {
            matches.Clear();
            foreach (var m in regex.EnumerateMatches(piece.Text))
                if (m.Length > 0) matches.Add((m.Index, m.Index + m.Length));
            SplitAt(piece, matches, behavior, invert, output);
        }
        return output;
    }
}

/// <summary>Split(pattern, Isolated) through a <see cref="TextSplitter"/> (a hand-coded scanner for the well-known patterns).</summary>
internal sealed class SplitterPreTokenizer(TextSplitter splitter) : PreTokenizer
{
    public TextSplitter Splitter => splitter;

    public override List<TextWithOffsets> Apply(List<TextWithOffsets> pieces, bool isFirstSection)
    {
        var output = new List<TextWithOffsets>();
        var ends = new List<int>();
        foreach (var piece in pieces)
        {
            ends.Clear();
            splitter.Split(piece.Text, ends);
            var start = 0;
            foreach (var end in ends) { output.Add(piece.Slice(start, end - start)); start = end; }
        }
        return output;
    }
}

/// <summary>GPT-2's byte-level step: optional leading space, optional GPT-2 split, then bytes written in <see cref="ByteLevelAlphabet"/>.</summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    public bool AddPrefixSpace => addPrefixSpace;
    public bool UseRegex => useRegex;

    public override List<TextWithOffsets> Apply(List<TextWithOffsets> pieces, bool isFirstSection)
    {
        if (addPrefixSpace)
        {
            pieces = pieces.Select(p =>
            {
                if (p.Length == 0 || p.Text[0] == ' ') return p;
                var b = new TextWithOffsets.Builder();
                b.Append(" ", p.Starts[0], p.Starts[0]);
                for (var i = 0; i < p.Length; i++) b.AppendFrom(p, i);
                return b.Build();
            }).ToList();
        }
        if (useRegex) pieces = new SplitterPreTokenizer(Gpt2Splitter.Instance).Apply(pieces, isFirstSection);
        return pieces.Select(ToByteLevel).ToList();
    }

    private static TextWithOffsets ToByteLevel(TextWithOffsets piece)
    {
        var b = new TextWithOffsets.Builder();
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < piece.Length; i++)
        {
            var width = char.IsHighSurrogate(piece.Text[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece.Text[i + 1]) ? 2 : 1;
            var n = Encoding.UTF8.GetBytes(piece.Text.AsSpan(i, width), bytes);
            var (start, end) = piece.OriginalSpan(i, i + width);
            for (var k = 0; k < n; k++) b.Append(ByteLevelAlphabet.ToChar(bytes[k]).ToString(), start, end);
            i += width - 1;
        }
        return b.Build();
    }
}

/// <summary>SentencePiece-style spaces: every space becomes <c>▁</c>, a <c>▁</c> is put in front, and pieces start at each <c>▁</c>.</summary>
internal sealed class MetaspacePreTokenizer(string replacement, string prependScheme, bool split) : PreTokenizer
{
    public override List<TextWithOffsets> Apply(List<TextWithOffsets> pieces, bool isFirstSection)
    {
        var output = new List<TextWithOffsets>();
        foreach (var p in pieces)
        {
            var b = new TextWithOffsets.Builder();
            var prepend = prependScheme == "always" || (prependScheme == "first" && isFirstSection);
            if (prepend && p.Length > 0 && !p.Text.StartsWith(replacement, StringComparison.Ordinal)) b.Append(replacement, p.Starts[0], p.Starts[0]);
            for (var i = 0; i < p.Length; i++)
            {
                if (p.Text[i] == ' ') b.Append(replacement, p.Starts[i], p.Ends[i]);
                else b.AppendFrom(p, i);
            }
            var replaced = b.Build();
            if (!split) { output.Add(replaced); continue; }
            var matches = new List<(int, int)>();
            for (var i = replaced.Text.IndexOf(replacement, StringComparison.Ordinal); i >= 0; i = replaced.Text.IndexOf(replacement, i + replacement.Length, StringComparison.Ordinal))
                matches.Add((i, i + replacement.Length));
            SplitAt(replaced, matches, SplitBehavior.MergedWithNext, invert: false, output);
        }
        return output;
    }
}
