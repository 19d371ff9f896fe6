using NextToken.Testing;
using NextToken.Tokenizers.Bpe;
using NextToken.Tokenizers.Tiktoken;

namespace NextToken.Tokenizers.Tests;

/// <summary>The test tokenizers, each loaded once for the whole test run.</summary>
internal static class LoadedTokenizers
{
    private static readonly Lazy<ByteLevelBpeTokenizer> LazyGpt2Files = new(() =>
        Gpt2BpeFiles.Load(TestData.Path("tokenizers/gpt2/vocab.json"), TestData.Path("tokenizers/gpt2/merges.txt")));

    private static readonly Dictionary<string, Lazy<ByteLevelBpeTokenizer>> Tiktokens = TiktokenEncoding.All.Keys
        .ToDictionary(k => k, k => new Lazy<ByteLevelBpeTokenizer>(() => TiktokenTokenizers.ForEncoding(k, TiktokenDirectory)), StringComparer.Ordinal);

    private static readonly Lazy<Tokenizer> LazyLlama3 = new(() => Tokenizer.FromDirectory(TestData.Path("tokenizers/llama3")));
    private static readonly Lazy<Tokenizer> LazyMistral = new(() => Tokenizer.FromDirectory(TestData.Path("tokenizers/mistral")));

    public static string TiktokenDirectory => TestData.Path("tokenizers/tiktoken");

    /// <summary>GPT-2 from <c>vocab.json</c> + <c>merges.txt</c>.</summary>
    public static ByteLevelBpeTokenizer Gpt2 => LazyGpt2Files.Value;

    public static ByteLevelBpeTokenizer Tiktoken(string encoding) => Tiktokens[encoding].Value;

    public static Tokenizer Llama3 => LazyLlama3.Value;
    public static Tokenizer Mistral => LazyMistral.Value;

    /// <summary>The tokenizer a golden file was made with (file name without <c>.jsonl</c>).</summary>
    public static Tokenizer ForGolden(string golden) => golden switch
    {
        "tiktoken-gpt2" => Gpt2,
        "hf-llama3" => Llama3,
        "hf-mistral" => Mistral,
        _ when golden.StartsWith("tiktoken-", StringComparison.Ordinal) => Tiktoken(golden["tiktoken-".Length..]),
        _ => throw new ArgumentException(golden),
    };

    /// <summary>Every text of the golden corpus (the same 47 lines in each file).</summary>
    public static IReadOnlyList<string> CorpusLines { get; } =
        TestData.JsonLines("golden/tokenize/tiktoken-gpt2.jsonl").Select(e => e.GetProperty("text").GetString()!).ToArray();
}
