using NextToken.Models;
using NextToken.Testing;

namespace NextToken.Tests.Models;

/// <summary>The random-weight GPT-2 and Llama models against PyTorch's and llama.cpp's logits.</summary>
public sealed class ReferenceModelTests
{
    private static readonly Lazy<IReadOnlyList<GoldenCase>> Gpt2Cases = new(() => GoldenCase.Read("golden/gpt2-random/torch-logits.jsonl"));

    public static TheoryData<string> Gpt2Files => new() { "models/gpt2-random", "models/gpt2-random/gpt2-random.gguf" };

    [Theory]
    [MemberData(nameof(Gpt2Files))]
    public void Gpt2MatchesPyTorch(string relative)
    {
        using var model = LanguageModel.Load(TestData.Path(relative));
        Assert.Equal("gpt2", model.Info.Architecture);
        foreach (var golden in Gpt2Cases.Value)
        {
            Golden.AssertLogits(model, golden, 1e-4f);
            Assert.Equal(golden.Greedy, Golden.Greedy(model, golden.Tokens, golden.Greedy.Length));
        }
    }

    [Fact]
    public void HuggingFaceLlamaMatchesLlamaCpp()
    {
        using var model = LanguageModel.Load(TestData.Path("models/llama-hf-random"));
        Assert.Equal(("llama", "safetensors", 32000, 2), (model.Info.Architecture, model.Info.Format, model.Info.VocabularySize, model.Info.KvHeadCount));
        foreach (var golden in GoldenCase.Read("golden/llama-hf-random/llamacpp-logits.jsonl"))
        {
            Golden.AssertLogits(model, golden, 1e-4f);
            Assert.Equal(golden.Greedy, Golden.Greedy(model, golden.Tokens, golden.Greedy.Length));
        }
    }

    [Fact]
    public void LlamaRandomF32MatchesTheExactReference()
    {
        using var model = LanguageModel.Load(TestData.Path("models/llama-random/llama-random-f32.gguf"));
        foreach (var golden in GoldenCase.Read("golden/llama-random/llama-random-f32.exact.jsonl"))
            Golden.AssertLogits(model, golden, 1e-4f);
        foreach (var golden in GoldenCase.Read("golden/llama-random/llama-random-f32.llamacpp.jsonl"))
        {
            Golden.AssertLogits(model, golden, 1e-4f);
            Assert.Equal(golden.Greedy, Golden.Greedy(model, golden.Tokens, golden.Greedy.Length));
        }
    }
}
