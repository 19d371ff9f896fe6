using NextToken.Gguf;
using NextToken.Testing;
using NextToken.Tokenizers.SentencePiece;

namespace NextToken.Tokenizers.Tests.SentencePiece;

/// <summary>
/// The stories260K vocabulary, embedded in GGUF files and as llama2.c's <c>tok512.bin</c>, against the token ids
/// llama.cpp produced for the golden prompts (BOS added).
/// </summary>
public class LlamaVocabularyTests
{
    private static readonly Lazy<SentencePieceTokenizer> Gguf = new(() => SentencePieceTokenizer.FromGguf(GgufMetadata.Read(TestData.DefaultModel)));
    private static readonly Lazy<SentencePieceTokenizer> Llama2c = new(() => SentencePieceTokenizer.FromLlama2cFile(TestData.Path("models/stories260K/tok512.bin")));

    public static TheoryData<string, int[]> LlamaCppPrompts()
    {
        var data = new TheoryData<string, int[]>();
        foreach (var line in TestData.JsonLines("golden/stories260K/llamacpp-logits.jsonl"))
            data.Add(line.GetProperty("prompt").GetString()!, line.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        return data;
    }

    [Theory]
    [MemberData(nameof(LlamaCppPrompts))]
    public void GgufVocabularyMatchesLlamaCpp(string prompt, int[] expected) =>
        Assert.Equal(expected, Gguf.Value.Encode(prompt, addSpecialTokens: true));

    [Theory]
    [MemberData(nameof(LlamaCppPrompts))]
    public void Llama2cVocabularyMatchesLlamaCpp(string prompt, int[] expected) =>
        Assert.Equal(expected, Llama2c.Value.Encode(prompt, addSpecialTokens: true));

    [Theory]
    [InlineData("llama-random-f32.gguf")]
    [InlineData("llama-random-q4_0.gguf")]
    public void QuantizedModelsCarryTheSameVocabulary(string file)
    {
        var tok = SentencePieceTokenizer.FromGguf(GgufMetadata.Read(TestData.Path("models/llama-random/" + file)));
        foreach (var (prompt, expected) in LlamaCppPrompts().Select(row => ((string)row[0], (int[])row[1])))
            Assert.Equal(expected, tok.Encode(prompt, addSpecialTokens: true));
    }

    [Fact]
    public void SpecialIdsAndFlagsFollowTheFile()
    {
        var tok = Gguf.Value;
        Assert.Equal(512, tok.VocabularySize);
        Assert.Equal(1, tok.BosTokenId);
        Assert.Equal(2, tok.EosTokenId);
        Assert.Equal(0, tok.UnknownTokenId);
        Assert.Null(tok.PadTokenId);
        Assert.True(tok.AddsBosToken);
        Assert.False(tok.AddsEosToken);
        Assert.True(tok.IsSpecialToken(1));
        Assert.False(tok.IsSpecialToken(259));
    }

    [Fact]
    public void BothFormatsHoldTheSameVocabulary()
    {
        var gguf = Gguf.Value;
        var bin = Llama2c.Value;
        Assert.Equal(gguf.VocabularySize, bin.VocabularySize);
        for (var id = 0; id < gguf.VocabularySize; id++)
        {
            Assert.Equal(gguf.TokenToPiece(id), bin.TokenToPiece(id));
            Assert.Equal(gguf.GetScore(id), bin.GetScore(id));
            Assert.Equal(gguf.GetPieceType(id), bin.GetPieceType(id));
        }
    }

    [Fact]
    public void ByteTokensShowTheirPieceAndGiveTheirByte()
    {
        var tok = Llama2c.Value;
        var newline = tok.PieceToId("<0x0A>")!.Value;
        Assert.Equal(3 + 0x0A, newline);
        Assert.Equal("<0x0A>", tok.TokenToPiece(newline));
        Assert.Equal(new byte[] { 0x0A }, tok.TokenBytes(newline));
        Assert.Equal("<s>", tok.TokenToPiece(1));
        Assert.Equal(PieceType.Byte, tok.GetPieceType(newline));
    }

    [Fact]
    public void CharactersOutsideTheVocabularyFallBackToBytes()
    {
        // "中" is not one of the 512 pieces: its UTF-8 bytes E4 B8 AD become <0xE4> <0xB8> <0xAD> (id 3 + byte).
        var tok = Gguf.Value;
        Assert.Null(tok.PieceToId("中"));
        var ids = tok.Encode("中");
        Assert.Equal(new[] { tok.PieceToId("▁")!.Value, 3 + 0xE4, 3 + 0xB8, 3 + 0xAD }, ids);
        Assert.Equal("中", tok.Decode(ids));
    }
}
