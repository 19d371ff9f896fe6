using NextToken.Gguf;
using NextToken.Testing;
using NextToken.Tokenizers.Tiktoken;

namespace NextToken.Tokenizers.Tests;

/// <summary>Format detection, tiktoken names and models, GGUF vocabularies.</summary>
public class LoadingTests
{
    [Theory]
    [InlineData("gpt-4o", "o200k_base")]
    [InlineData("gpt-4o-mini", "o200k_base")]
    [InlineData("o1", "o200k_base")]
    [InlineData("gpt-4.1", "o200k_base")]
    [InlineData("gpt-4", "cl100k_base")]
    [InlineData("gpt-3.5-turbo", "cl100k_base")]
    [InlineData("text-embedding-3-small", "cl100k_base")]
    [InlineData("text-davinci-003", "p50k_base")]
    [InlineData("text-davinci-edit-001", "p50k_edit")]
    [InlineData("davinci", "r50k_base")]
    [InlineData("gpt2", "gpt2")]
    public void ModelTable(string model, string encoding) => Assert.Equal(encoding, TiktokenEncoding.NameForModel(model));

    [Fact]
    public void P50kEditAddsTheFimTokens()
    {
        var edit = LoadedTokenizers.Tiktoken("p50k_edit");
        Assert.Equal([50281, 50282, 50283], edit.Encode("<|fim_prefix|><|fim_middle|><|fim_suffix|>", allowSpecialTokens: true));
        Assert.Equal(LoadedTokenizers.Tiktoken("p50k_base").Encode("hello world"), edit.Encode("hello world"));
    }

    [Fact]
    public void TiktokenFileAloneWorksWithoutItsJson()
    {
        var dir = Directory.CreateTempSubdirectory("nexttoken-tt-").FullName;
        try
        {
            var path = Path.Combine(dir, "cl100k_base.tiktoken");
            File.Copy(Path.Combine(LoadedTokenizers.TiktokenDirectory, "cl100k_base.tiktoken"), path);
            var alone = Tokenizer.FromFile(path);
            const string text = "Hello world, it's 2024!\n\n  ok";
            Assert.Equal(LoadedTokenizers.Tiktoken("cl100k_base").Encode(text), alone.Encode(text));
            Assert.Equal([100257], alone.Encode("<|endoftext|>", allowSpecialTokens: true));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ForModelPicksTheEncoding()
    {
        var tok = Tokenizer.ForModel("gpt-4o", LoadedTokenizers.TiktokenDirectory);
        Assert.Equal(LoadedTokenizers.Tiktoken("o200k_base").Encode("Hello CamelCase"), tok.Encode("Hello CamelCase"));
    }

    [Fact]
    public void GgufGpt2VocabularyGivesTheSameIdsAsTheGpt2Files()
    {
        var gguf = Tokenizer.FromGguf(GgufMetadata.Read(TestData.Path("models/gpt2-random/gpt2-random.gguf")));
        Assert.Equal(50257, gguf.VocabularySize);
        foreach (var text in LoadedTokenizers.CorpusLines)
            Assert.Equal(LoadedTokenizers.Gpt2.Encode(text), gguf.Encode(text));
        Assert.Equal(50256, gguf.EosTokenId);
        Assert.Equal(Tokenizer.FromFile(TestData.Path("models/gpt2-random/gpt2-random.gguf")).Encode("Hi there"), gguf.Encode("Hi there"));
    }

    [Fact]
    public void HuggingFaceFoldersLoadWithTheirConfig()
    {
        var mistral = LoadedTokenizers.Mistral;
        Assert.True(mistral.AddsBosToken);
        Assert.Equal(1, mistral.BosTokenId);
        Assert.Equal(2, mistral.EosTokenId);
        Assert.Equal("▁Hello", mistral.TokenToPiece(mistral.Encode("Hello")[0]));
        Assert.Equal("<0x0A>", mistral.TokenToPiece(mistral.PieceToId("<0x0A>")!.Value));
        Assert.Equal([1, 2], mistral.Encode("<s></s>", allowSpecialTokens: true));
        Assert.DoesNotContain(1, mistral.Encode("<s>"));
        var llama3 = LoadedTokenizers.Llama3;
        Assert.Equal(128000, llama3.BosTokenId);
        Assert.Equal([128000], llama3.Encode("<|begin_of_text|>", allowSpecialTokens: true));
    }
}
