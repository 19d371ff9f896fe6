namespace NextToken.Tokenizers.PreTokenization;

/// <summary>
/// cl100k_base's split pattern, which Llama 3 also uses (and Qwen 2 with single digits), hand-coded:
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>.
/// </summary>
/// <remarks>Performance: see <see cref="Gpt2Splitter"/>; the same table-driven scan.</remarks>
internal sealed class Cl100kSplitter : ScanningSplitter
{
    public const string RegexPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    public const string SingleDigitPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>cl100k_base and Llama 3: numbers in groups of up to three digits.</summary>
    public static readonly Cl100kSplitter Instance = new(3);

    /// <summary>Qwen 2: every digit alone.</summary>
    public static readonly Cl100kSplitter SingleDigits = new(1);

    private readonly int _maxDigits;

    private Cl100kSplitter(int maxDigits) => _maxDigits = maxDigits;

    public override string Pattern => _maxDigits == 3 ? RegexPattern : SingleDigitPattern;

    protected override int PieceEnd(ReadOnlySpan<char> text, int start)
    {
        var contraction = CharClass.Contraction(text, start, ignoreCase: true);
        if (contraction > 0) return start + contraction;
        var flags = CharClass.At(text, start, out var width);
        if ((flags & CharClass.Letter) != 0) return CharClass.RunEnd(text, start, CharClass.Letter);
        if ((flags & (CharClass.Number | CharClass.Newline)) == 0 && start + width < text.Length
            && (CharClass.At(text, start + width, out _) & CharClass.Letter) != 0)
            return CharClass.RunEnd(text, start + width, CharClass.Letter);   // [^\r\n\p{L}\p{N}]\p{L}+
        if ((flags & CharClass.Number) != 0)
        {
            var end = start + width;
            for (var n = 1; n < _maxDigits && end < text.Length; n++)
            {
                if ((CharClass.At(text, end, out var w) & CharClass.Number) == 0) break;
                end += w;
            }
            return end;
        }
        var body = text[start] == ' ' && start + 1 < text.Length ? start + 1 : start;
        if ((CharClass.At(text, body, out _) & (CharClass.Letter | CharClass.Number | CharClass.Space)) == 0)
            return CharClass.RunEnd(text, CharClass.OtherRunEnd(text, body), CharClass.Newline);
        return WhitespaceEnd(text, start, newlineRule: true);
    }
}
