using NextToken.Testing;

namespace NextToken.Tokenizers.Tests;

/// <summary>Every golden line (js-tiktoken, transformers.js) gives identical ids.</summary>
public class GoldenTokenizationTests
{
    public static TheoryData<string> GoldenFiles => new()
    {
        "tiktoken-gpt2", "tiktoken-r50k_base", "tiktoken-p50k_base", "tiktoken-cl100k_base", "tiktoken-o200k_base", "hf-llama3", "hf-mistral",
    };

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void EveryLineGivesTheReferenceIds(string golden)
    {
        var tokenizer = LoadedTokenizers.ForGolden(golden);
        // transformers.js always recognises added tokens such as <s> in the input; js-tiktoken never does.
        var allowSpecial = golden.StartsWith("hf-", StringComparison.Ordinal);
        var failures = new List<string>();
        foreach (var line in TestData.JsonLines($"golden/tokenize/{golden}.jsonl"))
        {
            var text = line.GetProperty("text").GetString()!;
            var expected = line.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var actual = tokenizer.Encode(text, addSpecialTokens: false, allowSpecialTokens: allowSpecial);
            if (!expected.SequenceEqual(actual))
                failures.Add($"{text}\n  expected [{string.Join(",", expected)}]\n  actual   [{string.Join(",", actual)}]");
            if (line.TryGetProperty("ids_with_special", out var withSpecial))
            {
                var expectedWith = withSpecial.EnumerateArray().Select(e => e.GetInt32()).ToArray();
                var actualWith = tokenizer.Encode(text, addSpecialTokens: true, allowSpecialTokens: allowSpecial);
                if (!expectedWith.SequenceEqual(actualWith))
                    failures.Add($"(with special) {text}\n  expected [{string.Join(",", expectedWith)}]\n  actual   [{string.Join(",", actualWith)}]");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void CountTokensAgreesWithEncode(string golden)
    {
        var tokenizer = LoadedTokenizers.ForGolden(golden);
        foreach (var text in LoadedTokenizers.CorpusLines)
            Assert.Equal(tokenizer.Encode(text).Length, tokenizer.CountTokens(text));
    }
}
