using NextToken.Models;
using NextToken.Numerics;
using NextToken.Testing;

namespace NextToken.Tests.Models;

/// <summary>stories260K as GGUF and as a llama2.c checkpoint against llama.cpp's logits and greedy stories.</summary>
public sealed class StoriesModelTests
{
    private static readonly IReadOnlyList<GoldenCase> Cases = GoldenCase.Read("golden/stories260K/llamacpp-logits.jsonl");

    public static TheoryData<string> Files => new() { TestData.DefaultModel, TestData.Path("models/stories260K/stories260K.bin") };

    [Theory]
    [MemberData(nameof(Files))]
    public void LogitsMatchLlamaCppAtEveryPosition(string path)
    {
        using var model = LanguageModel.Load(path);
        foreach (var golden in Cases) Golden.AssertLogits(model, golden, 1e-4f);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void GreedyContinuationsMatchLlamaCpp(string path)
    {
        using var model = LanguageModel.Load(path);
        foreach (var golden in Cases) Assert.Equal(golden.Greedy, Golden.Greedy(model, golden.Tokens, golden.Greedy.Length));
    }

    [Fact]
    public void InfoDescribesTheModel()
    {
        using var gguf = LanguageModel.Load(TestData.DefaultModel);
        var info = gguf.Info;
        Assert.Equal(("llama", "gguf", 512, 64, 5, 8, 4, 172), (info.Architecture, info.Format, info.VocabularySize, info.EmbeddingLength, info.LayerCount, info.HeadCount, info.KvHeadCount, info.FeedForwardLength));
        // token_embd + output (512×64 each) + per layer 2 norms, q, k, v, o, gate, up, down + final norm
        Assert.Equal(2 * 512 * 64 + 5 * (2 * 64 + 64 * 64 * 2 + 32 * 64 * 2 + 3 * 172 * 64) + 64, info.ParameterCount);
        Assert.Equal(48, info.TensorTypes[TensorType.F32]);
        using var bin = LanguageModel.Load(TestData.Path("models/stories260K/stories260K.bin"));
        Assert.Equal(("llama", "llama2.c", 512), (bin.Info.Architecture, bin.Info.Format, bin.Info.ContextLength));
    }
}
