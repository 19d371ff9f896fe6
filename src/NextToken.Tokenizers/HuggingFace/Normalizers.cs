using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>A <c>tokenizer.json</c> normalizer: rewrites text before it is split, keeping each character's original span.</summary>
internal abstract class Normalizer
{
    public abstract TextWithOffsets Apply(TextWithOffsets text);

    public static Normalizer? Read(JsonElement? element, JsonFields f)
    {
        if (element is not { } e) return null;
        var type = f.Type(e, "normalizer");
        switch (type)
        {
            case "Sequence":
                return new SequenceNormalizer(f.Array(e, "normalizers", "normalizer").EnumerateArray().Select(n => Read(n, f)!).ToArray());
            case "NFC": return new UnicodeNormalizer(NormalizationForm.FormC);
            case "NFD": return new UnicodeNormalizer(NormalizationForm.FormD);
            case "NFKC": return new UnicodeNormalizer(NormalizationForm.FormKC);
            case "NFKD": return new UnicodeNormalizer(NormalizationForm.FormKD);
            case "Lowercase": return new CharMapNormalizer(c => char.ToLowerInvariant(c).ToString());
            case "Strip": return new StripNormalizer(f.Bool(e, "strip_left", true, "Strip"), f.Bool(e, "strip_right", true, "Strip"));
            case "StripAccents": return new CharMapNormalizer(c => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark ? "" : c.ToString());
            case "Prepend": return new PrependNormalizer(f.String(e, "prepend", "Prepend") ?? throw f.Error("Prepend has no 'prepend'"));
            case "Replace":
                var (pattern, literal) = f.Pattern(e, "Replace");
                return new ReplaceNormalizer(pattern, literal, f.String(e, "content", "Replace") ?? "");
            case "BertNormalizer":
                return BertNormalizer(f.Bool(e, "clean_text", true, type), f.Bool(e, "handle_chinese_chars", true, type),
                    f.Optional(e, "strip_accents") is { } sa ? sa.ValueKind == JsonValueKind.True : null, f.Bool(e, "lowercase", true, type));
            default:
                throw f.Error($"normalizer type '{type}' is not supported");
        }
    }

    /// <summary>BERT's cleanup: drop control characters, blanks become spaces, CJK characters padded with spaces, lowercase, strip accents.</summary>
    private static Normalizer BertNormalizer(bool cleanText, bool chinese, bool? stripAccents, bool lowercase)
    {
        var steps = new List<Normalizer>();
        if (cleanText)
            steps.Add(new CharMapNormalizer(c => c == 0 || c == 0xFFFD || (char.IsControl(c) && c is not ('\t' or '\n' or '\r')) ? ""
                : char.IsWhiteSpace(c) ? " " : c.ToString()));
        if (chinese) steps.Add(new CharMapNormalizer(c => IsCjk(c) ? $" {c} " : c.ToString()));
        if (stripAccents ?? lowercase)
        {
            steps.Add(new UnicodeNormalizer(NormalizationForm.FormD));
            steps.Add(new CharMapNormalizer(c => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark ? "" : c.ToString()));
        }
        if (lowercase) steps.Add(new CharMapNormalizer(c => char.ToLowerInvariant(c).ToString()));
        return new SequenceNormalizer(steps.ToArray());
    }

    private static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF';
}

internal sealed class SequenceNormalizer(Normalizer[] steps) : Normalizer
{
    public override TextWithOffsets Apply(TextWithOffsets text)
    {
        foreach (var step in steps) text = step.Apply(text);
        return text;
    }
}

/// <summary>Rewrites each UTF-16 character on its own (lowercasing, cleanup); the replacement inherits the character's span.</summary>
internal sealed class CharMapNormalizer(Func<char, string> map) : Normalizer
{
    public override TextWithOffsets Apply(TextWithOffsets text)
    {
        var b = new TextWithOffsets.Builder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text.Text[i];
            var s = map(c);
            if (s.Length == 1 && s[0] == c) b.AppendFrom(text, i);
            else b.Append(s, text.Starts[i], text.Ends[i]);
        }
        return b.Build();
    }
}

/// <summary>
/// NFC/NFD/NFKC/NFKD. Text is normalized one segment at a time, a segment being a character and the combining
/// marks after it, so every output character keeps the span of the segment it came from.
/// </summary>
internal sealed class UnicodeNormalizer(NormalizationForm form) : Normalizer
{
    public override TextWithOffsets Apply(TextWithOffsets text)
    {
        if (text.Text.IsNormalized(form)) return text;
        var b = new TextWithOffsets.Builder();
        var i = 0;
        while (i < text.Length)
        {
            var j = i + (char.IsHighSurrogate(text.Text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text.Text[i + 1]) ? 2 : 1);
            while (j < text.Length && IsMark(text.Text, j)) j += char.IsHighSurrogate(text.Text[j]) && j + 1 < text.Length ? 2 : 1;
            var segment = text.Text[i..j];
            string normalized;
            try { normalized = segment.Normalize(form); }
            catch (ArgumentException) { normalized = segment; }   // lone surrogates cannot be normalized: keep them
            var (start, end) = text.OriginalSpan(i, j);
            if (normalized == segment) for (var k = i; k < j; k++) b.AppendFrom(text, k);
            else b.Append(normalized, start, end);
            i = j;
        }
        return b.Build();
    }

    private static bool IsMark(string s, int i)
    {
        var cat = char.IsHighSurrogate(s[i]) && i + 1 < s.Length ? CharUnicodeInfo.GetUnicodeCategory(s, i) : CharUnicodeInfo.GetUnicodeCategory(s[i]);
        return cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
    }
}

internal sealed class StripNormalizer(bool left, bool right) : Normalizer
{
    public override TextWithOffsets Apply(TextWithOffsets text)
    {
        var start = 0;
        var end = text.Length;
        if (left) while (start < end && char.IsWhiteSpace(text.Text[start])) start++;
        if (right) while (end > start && char.IsWhiteSpace(text.Text[end - 1])) end--;
        return start == 0 && end == text.Length ? text : text.Slice(start, end - start);
    }
}

/// <summary>Puts a string in front of non-empty text (SentencePiece's <c>▁</c> dummy prefix).</summary>
internal sealed class PrependNormalizer(string prefix) : Normalizer
{
    public override TextWithOffsets Apply(TextWithOffsets text)
    {
        if (text.Length == 0) return text;
        var starts = new int[prefix.Length + text.Length];
        var ends = new int[starts.Length];
        starts.AsSpan(0, prefix.Length).Fill(text.Starts[0]);
        ends.AsSpan(0, prefix.Length).Fill(text.Starts[0]);
        text.Starts.CopyTo(starts, prefix.Length);
        text.Ends.CopyTo(ends, prefix.Length);
        return new TextWithOffsets(prefix + text.Text, starts, ends);
    }
}

internal sealed class ReplaceNormalizer : Normalizer
{
    private readonly Regex _regex;
    private readonly string _content;

    private readonly char _from;   // a one-character literal replaced by one character ('\0' when not)
    private readonly char _to;

    public ReplaceNormalizer(string pattern, bool literal, string content)
    {
        _regex = new Regex(literal ? Regex.Escape(pattern) : PreTokenization.RegexSplitter.Translate(pattern), RegexOptions.CultureInvariant);
        _content = content;
        if (literal && pattern.Length == 1 && pattern[0] != '\0' && content.Length == 1) (_from, _to) = (pattern[0], content[0]);
    }

    public override TextWithOffsets Apply(TextWithOffsets text)
    {
        // Metaspace's ' ' → '▁': every character keeps its place and its span, so the offsets are shared as they are
        // (the general path below rebuilt two offset arrays per character and was a quarter of Mistral's encoding time).
        if (_from != '\0')
            return text.Text.Contains(_from) ? new TextWithOffsets(text.Text.Replace(_from, _to), text.Starts, text.Ends) : text;
        var b = new TextWithOffsets.Builder();
        var position = 0;
        foreach (var m in _regex.EnumerateMatches(text.Text))
        {
            if (m.Length == 0) continue;
            for (var k = position; k < m.Index; k++) b.AppendFrom(text, k);
            var (start, end) = text.OriginalSpan(m.Index, m.Index + m.Length);
            b.Append(_content, start, end);
            position = m.Index + m.Length;
        }
        if (position == 0) return text;
        for (var k = position; k < text.Length; k++) b.AppendFrom(text, k);
        return b.Build();
    }
}
