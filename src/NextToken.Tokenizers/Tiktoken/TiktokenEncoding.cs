using NextToken.Tokenizers.PreTokenization;

namespace NextToken.Tokenizers.Tiktoken;

/// <summary>
/// One of OpenAI's published encodings: which rank file it uses, its split pattern and its special tokens.
/// Loading a <c>.tiktoken</c> file alone is enough for these; a <c>.json</c> beside the file overrides them.
/// </summary>
/// <param name="Name">The encoding's name (<c>cl100k_base</c>).</param>
/// <param name="RankFileName">The rank file's base name (<c>p50k_edit</c> uses <c>p50k_base</c>).</param>
/// <param name="Pattern">The split pattern.</param>
/// <param name="SpecialTokens">Special-token text and id.</param>
public sealed record TiktokenEncoding(string Name, string RankFileName, string Pattern, IReadOnlyDictionary<string, int> SpecialTokens)
{
    public const string EndOfText = "<|endoftext|>";
    public const string FimPrefix = "<|fim_prefix|>";
    public const string FimMiddle = "<|fim_middle|>";
    public const string FimSuffix = "<|fim_suffix|>";
    public const string EndOfPrompt = "<|endofprompt|>";

    public static readonly TiktokenEncoding R50kBase = new("r50k_base", "r50k_base", Gpt2Splitter.RegexPattern,
        new Dictionary<string, int> { [EndOfText] = 50256 });

    public static readonly TiktokenEncoding P50kBase = new("p50k_base", "p50k_base", Gpt2Splitter.RegexPattern,
        new Dictionary<string, int> { [EndOfText] = 50256 });

    public static readonly TiktokenEncoding P50kEdit = new("p50k_edit", "p50k_base", Gpt2Splitter.RegexPattern,
        new Dictionary<string, int> { [EndOfText] = 50256, [FimPrefix] = 50281, [FimMiddle] = 50282, [FimSuffix] = 50283 });

    public static readonly TiktokenEncoding Cl100kBase = new("cl100k_base", "cl100k_base", SplitPatterns.Cl100kJson,
        new Dictionary<string, int> { [EndOfText] = 100257, [FimPrefix] = 100258, [FimMiddle] = 100259, [FimSuffix] = 100260, [EndOfPrompt] = 100276 });

    public static readonly TiktokenEncoding O200kBase = new("o200k_base", "o200k_base", SplitPatterns.O200kJson,
        new Dictionary<string, int> { [EndOfText] = 199999, [EndOfPrompt] = 200018 });

    /// <summary>Every encoding by name; <c>gpt2</c> is r50k_base under its older name.</summary>
    public static IReadOnlyDictionary<string, TiktokenEncoding> All { get; } = new Dictionary<string, TiktokenEncoding>(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt2"] = R50kBase with { Name = "gpt2" },
        ["r50k_base"] = R50kBase,
        ["p50k_base"] = P50kBase,
        ["p50k_edit"] = P50kEdit,
        ["cl100k_base"] = Cl100kBase,
        ["o200k_base"] = O200kBase,
    };

    // tiktoken's model table (tiktoken/model.py): exact names, then prefixes, first match wins.
    private static readonly (string Model, string Encoding)[] Models =
    [
        ("o1", "o200k_base"), ("o3", "o200k_base"), ("o4-mini", "o200k_base"), ("gpt-5", "o200k_base"),
        ("gpt-4.1", "o200k_base"), ("gpt-4o", "o200k_base"),
        ("gpt-4", "cl100k_base"), ("gpt-3.5-turbo", "cl100k_base"), ("gpt-3.5", "cl100k_base"), ("gpt-35-turbo", "cl100k_base"),
        ("davinci-002", "cl100k_base"), ("babbage-002", "cl100k_base"),
        ("text-embedding-ada-002", "cl100k_base"), ("text-embedding-3-small", "cl100k_base"), ("text-embedding-3-large", "cl100k_base"),
        ("text-davinci-003", "p50k_base"), ("text-davinci-002", "p50k_base"),
        ("text-davinci-001", "r50k_base"), ("text-curie-001", "r50k_base"), ("text-babbage-001", "r50k_base"), ("text-ada-001", "r50k_base"),
        ("davinci", "r50k_base"), ("curie", "r50k_base"), ("babbage", "r50k_base"), ("ada", "r50k_base"),
        ("code-davinci-002", "p50k_base"), ("code-davinci-001", "p50k_base"), ("code-cushman-002", "p50k_base"),
        ("code-cushman-001", "p50k_base"), ("davinci-codex", "p50k_base"), ("cushman-codex", "p50k_base"),
        ("text-davinci-edit-001", "p50k_edit"), ("code-davinci-edit-001", "p50k_edit"),
        ("text-similarity-davinci-001", "r50k_base"), ("text-similarity-curie-001", "r50k_base"),
        ("text-similarity-babbage-001", "r50k_base"), ("text-similarity-ada-001", "r50k_base"),
        ("text-search-davinci-doc-001", "r50k_base"), ("text-search-curie-doc-001", "r50k_base"),
        ("text-search-babbage-doc-001", "r50k_base"), ("text-search-ada-doc-001", "r50k_base"),
        ("code-search-babbage-code-001", "r50k_base"), ("code-search-ada-code-001", "r50k_base"),
        ("gpt2", "gpt2"), ("gpt-2", "gpt2"),
    ];

    private static readonly (string Prefix, string Encoding)[] ModelPrefixes =
    [
        ("o1-", "o200k_base"), ("o3-", "o200k_base"), ("o4-mini-", "o200k_base"), ("gpt-5-", "o200k_base"),
        ("gpt-4.5-", "o200k_base"), ("gpt-4.1-", "o200k_base"), ("chatgpt-4o-", "o200k_base"), ("gpt-4o-", "o200k_base"),
        ("gpt-4-", "cl100k_base"), ("gpt-3.5-turbo-", "cl100k_base"), ("gpt-35-turbo-", "cl100k_base"),
        ("ft:gpt-4o", "o200k_base"), ("ft:gpt-4", "cl100k_base"), ("ft:gpt-3.5-turbo", "cl100k_base"),
        ("ft:davinci-002", "cl100k_base"), ("ft:babbage-002", "cl100k_base"),
    ];

    /// <summary>The encoding an OpenAI model uses (<c>gpt-4o</c> → <c>o200k_base</c>), or null when unknown.</summary>
    public static string? NameForModel(string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        foreach (var (model, encoding) in Models)
            if (string.Equals(model, modelName, StringComparison.OrdinalIgnoreCase)) return encoding;
        foreach (var (prefix, encoding) in ModelPrefixes)
            if (modelName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return encoding;
        return null;
    }
}
