namespace NextToken.Tokenizers.PreTokenization;

/// <summary>
/// Cuts text into the pieces that byte-pair encoding then works on one at a time, as a split regex does
/// (GPT-2's <c>'s|'t|… ?\p{L}+| ?\p{N}+|…</c>). Every character ends up in exactly one piece: text the pattern
/// does not match becomes a piece of its own.
/// </summary>
internal abstract class TextSplitter
{
    /// <summary>Appends the end index of every piece of <paramref name="text"/>, in order; the last is <c>text.Length</c>.</summary>
    public abstract void Split(ReadOnlySpan<char> text, List<int> pieceEnds);

    /// <summary>The split pattern this splitter reproduces (for display and for its regex twin in tests).</summary>
    public abstract string Pattern { get; }
}

/// <summary>A splitter that scans the text with a hand-written matcher for one pattern, one piece at a time.</summary>
internal abstract class ScanningSplitter : TextSplitter
{
    public sealed override void Split(ReadOnlySpan<char> text, List<int> pieceEnds)
    {
        var position = 0;
        while (position < text.Length)
        {
            position = PieceEnd(text, position);
            pieceEnds.Add(position);
        }
    }

    /// <summary>End of the piece that starts at <paramref name="start"/> (always past it).</summary>
    protected abstract int PieceEnd(ReadOnlySpan<char> text, int start);

    /// <summary>The shared tail of the patterns: <c>\s*[\r\n]+|\s+(?!\S)|\s+</c> (or without the newline rule).</summary>
    protected static int WhitespaceEnd(ReadOnlySpan<char> text, int start, bool newlineRule)
    {
        // White space is all in the BMP, so one char is one code point here.
        var end = CharClass.RunEnd(text, start, CharClass.Space);
        if (newlineRule)
        {
            for (var k = end - 1; k >= start; k--)
                if (text[k] is '\r' or '\n') return k + 1;
        }
        if (end == text.Length || end - start == 1) return end;
        return end - 1;  // \s+(?!\S): leave the last blank to start the next word
    }
}
