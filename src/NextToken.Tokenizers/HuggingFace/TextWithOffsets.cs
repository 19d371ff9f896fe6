using System.Text;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>
/// Text being normalized or pre-tokenized, with the span of original input each character came from, so that
/// tokens can report offsets into the caller's string however the text was rewritten.
/// </summary>
internal sealed class TextWithOffsets
{
    /// <param name="text">The current text.</param>
    /// <param name="starts">Original index where each character's source starts.</param>
    /// <param name="ends">Original index where each character's source ends.</param>
    public TextWithOffsets(string text, int[] starts, int[] ends)
    {
        Text = text;
        Starts = starts;
        Ends = ends;
    }

    public string Text { get; }
    public int[] Starts { get; }
    public int[] Ends { get; }
    public int Length => Text.Length;

    /// <summary>Original text starting at <paramref name="offset"/>: each character maps to itself.</summary>
    public static TextWithOffsets FromOriginal(string text, int offset = 0)
    {
        var starts = new int[text.Length];
        var ends = new int[text.Length];
        for (var i = 0; i < text.Length; i++) { starts[i] = offset + i; ends[i] = offset + i + 1; }
        return new TextWithOffsets(text, starts, ends);
    }

    public TextWithOffsets Slice(int start, int length) =>
        new(Text.Substring(start, length), Starts.AsSpan(start, length).ToArray(), Ends.AsSpan(start, length).ToArray());

    /// <summary>Original span of characters [start, end) of this text.</summary>
    public (int Start, int End) OriginalSpan(int start, int end)
    {
        if (Length == 0) return (0, 0);
        if (end <= start) { var p = start < Length ? Starts[start] : Ends[Length - 1]; return (p, p); }
        var s = int.MaxValue;
        var e = int.MinValue;
        for (var i = start; i < end; i++) { s = Math.Min(s, Starts[i]); e = Math.Max(e, Ends[i]); }
        return (s, e);
    }

    /// <summary>Builds rewritten text piece by piece, each new piece mapped to an original span.</summary>
    public sealed class Builder
    {
        private readonly StringBuilder _text = new();
        private readonly List<int> _starts = [];
        private readonly List<int> _ends = [];

        public void Append(string s, int originalStart, int originalEnd)
        {
            _text.Append(s);
            for (var i = 0; i < s.Length; i++) { _starts.Add(originalStart); _ends.Add(originalEnd); }
        }

        public void AppendFrom(TextWithOffsets source, int index)
        {
            _text.Append(source.Text[index]);
            _starts.Add(source.Starts[index]);
            _ends.Add(source.Ends[index]);
        }

        public TextWithOffsets Build() => new(_text.ToString(), _starts.ToArray(), _ends.ToArray());
    }
}
