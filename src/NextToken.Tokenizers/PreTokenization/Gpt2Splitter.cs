namespace NextToken.Tokenizers.PreTokenization;

/// <summary>
/// GPT-2's split pattern (also r50k_base and p50k_base), hand-coded:
/// <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>.
/// </summary>
/// <remarks>
/// Performance: the .NET <c>Regex</c> of this pattern (compiled) splits English at about 15-25 MB/s and allocates a
/// match per piece; this scanner tests one table byte per character and runs several times faster. It works on
/// code points, as the Rust and Python regex engines do, so letters outside the BMP count as letters.
/// </remarks>
internal sealed class Gpt2Splitter : ScanningSplitter
{
    public const string RegexPattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static readonly Gpt2Splitter Instance = new();

    public override string Pattern => RegexPattern;

    protected override int PieceEnd(ReadOnlySpan<char> text, int start)
    {
        var contraction = CharClass.Contraction(text, start, ignoreCase: false);
        if (contraction > 0) return start + contraction;
        var body = start;
        if (text[start] == ' ' && start + 1 < text.Length) body = start + 1;
        var flags = CharClass.At(text, body, out _);
        if ((flags & CharClass.Letter) != 0) return CharClass.RunEnd(text, body, CharClass.Letter);
        if ((flags & CharClass.Number) != 0) return CharClass.RunEnd(text, body, CharClass.Number);
        if ((flags & CharClass.Space) == 0) return CharClass.OtherRunEnd(text, body);
        return WhitespaceEnd(text, start, newlineRule: false);
    }
}
