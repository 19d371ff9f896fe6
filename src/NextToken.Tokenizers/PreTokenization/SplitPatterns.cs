namespace NextToken.Tokenizers.PreTokenization;

/// <summary>
/// The split patterns NextToken knows, and the splitter for any pattern: a hand-coded scanner when the pattern
/// is one of the well-known ones (GPT-2, cl100k/Llama 3, o200k) in any of their published spellings, else a regex.
/// </summary>
internal static class SplitPatterns
{
    /// <summary>cl100k_base as tiktoken's JSON spelling writes it (contractions with every case listed).</summary>
    public const string Cl100kJson =
        @"('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Llama 3 as llama.cpp writes it.</summary>
    public const string Llama3LlamaCpp =
        @"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string ContractionsAnyCase = "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)";

    /// <summary>o200k_base as tiktoken's JSON spelling writes it.</summary>
    public static readonly string O200kJson = O200kSplitter.RegexPattern.Replace("(?i:'s|'t|'re|'ve|'m|'ll|'d)", ContractionsAnyCase);

    /// <summary>The splitter for a pattern.</summary>
    public static TextSplitter For(string pattern)
    {
        if (pattern == Gpt2Splitter.RegexPattern || pattern == Gpt2Splitter.RegexPattern[..^4]) return Gpt2Splitter.Instance;
        if (pattern is Cl100kSplitter.RegexPattern or Cl100kJson or Llama3LlamaCpp) return Cl100kSplitter.Instance;
        if (pattern == Cl100kSplitter.SingleDigitPattern) return Cl100kSplitter.SingleDigits;
        if (pattern == O200kSplitter.RegexPattern || pattern == O200kJson) return O200kSplitter.Instance;
        return new RegexSplitter(pattern);
    }
}
