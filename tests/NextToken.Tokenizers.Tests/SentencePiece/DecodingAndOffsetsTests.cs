using NextToken.Tokenizers.SentencePiece;

namespace NextToken.Tokenizers.Tests.SentencePiece;

/// <summary>Decoding rules, streaming decoding, offsets and special-token handling on the Llama 2 model.</summary>
public class DecodingAndOffsetsTests
{
    private static SentencePieceTokenizer Llama2 => Llama2ModelTests.Llama2.Value;

    public static TheoryData<string> Texts() =>
    [
        "Hello world",
        "  Hello  world  ",
        "naïve café résumé",
        "你好，世界！我爱自然语言处理。",
        "Emoji: 😀😃😄 👍🏽 👨\u200d👩\u200d👧\u200d👦 🇩🇪 ❤️",
        "Low surrogate pair test: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "line\nbreak\ttab",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void DecodeOfEncodeIsTheText(string text)
    {
        // SentencePiece's rule: the dummy prefix adds one ▁ at the start and decoding removes one leading space;
        // Llama 2 keeps all other spaces, so every text comes back exactly.
        Assert.Equal(text, Llama2.Decode(Llama2.Encode(text)));
        Assert.Equal(text, Llama2.Decode(Llama2.Encode(text, addSpecialTokens: true), skipSpecialTokens: true));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void IncrementalDecodingEqualsDecode(string text)
    {
        foreach (var skip in new[] { false, true })
        {
            var ids = Llama2.Encode(text, addSpecialTokens: true);
            var decoder = Llama2.CreateIncrementalDecoder(skip);
            var streamed = string.Concat(ids.Select(decoder.Append)) + decoder.Flush();
            Assert.Equal(Llama2.Decode(ids, skip), streamed);
        }
    }

    [Fact]
    public void IncrementalDecodingWaitsForWholeCharacters()
    {
        // "中" is spelled with byte tokens in the 512-token stories vocabulary: nothing appears until the last byte.
        var tok = SentencePieceTokenizer.FromLlama2cFile(NextToken.Testing.TestData.Path("models/stories260K/tok512.bin"));
        var ids = tok.Encode("中");
        var decoder = tok.CreateIncrementalDecoder();
        Assert.Equal(new[] { "", "", "", "中" }, ids.Select(decoder.Append).ToArray());
    }

    [Fact]
    public void SpecialTokensDecodeToTheirText()
    {
        var ids = Llama2.Encode("Hello", addSpecialTokens: true);
        Assert.Equal("<s> Hello", Llama2.Decode(ids));
        Assert.Equal("Hello", Llama2.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<s>"u8.ToArray(), Llama2.TokenBytes(1));
        Assert.Equal(" Hello"u8.ToArray(), Llama2.TokenBytes(Llama2.PieceToId("▁Hello")!.Value));
    }

    [Fact]
    public void OffsetsPointIntoTheInput()
    {
        var tokens = Llama2.EncodeWithOffsets("Hello world", addSpecialTokens: true);
        Assert.Equal(new EncodedToken(1, 0, 0), tokens[0]);
        Assert.Equal(new EncodedToken(Llama2.PieceToId("▁Hello")!.Value, 0, 5), tokens[1]);
        Assert.Equal(new EncodedToken(Llama2.PieceToId("▁world")!.Value, 5, 6), tokens[2]);
        Assert.Equal(Llama2.Encode("Hello world", addSpecialTokens: true), tokens.Select(t => t.Id).ToArray());
    }

    [Fact]
    public void ByteFallbackTokensAllCoverTheirCharacter()
    {
        // "𝔘" (U+1D518, two UTF-16 units) is four byte tokens in Llama 2, each covering both units.
        var text = "a𝔘";
        var tokens = Llama2.EncodeWithOffsets(text);
        Assert.Equal(Llama2.Encode(text), tokens.Select(t => t.Id).ToArray());
        Assert.All(tokens.Where(t => Llama2.GetPieceType(t.Id) == PieceType.Byte), t => Assert.Equal((1, 2), (t.Start, t.Length)));
        Assert.Equal(4, tokens.Count(t => Llama2.GetPieceType(t.Id) == PieceType.Byte));
    }

    [Fact]
    public void SpecialTokenTextIsPlainUnlessAllowed()
    {
        const string text = "<s> [INST] hello [/INST] </s>";
        var plain = Llama2.Encode(text);
        Assert.DoesNotContain(1, plain);
        Assert.DoesNotContain(2, plain);
        // Allowed: the control tokens are matched, and the text after each gets its own dummy prefix (llama.cpp).
        var parsed = Llama2.Encode(text, allowSpecialTokens: true);
        var expected = new List<int> { 1 };
        expected.AddRange(Llama2.Encode(" [INST] hello [/INST] "));
        expected.Add(2);
        Assert.Equal(expected, parsed);
        var offsets = Llama2.EncodeWithOffsets(text, allowSpecialTokens: true);
        Assert.Equal(new EncodedToken(2, text.Length - 4, 4), offsets[^1]);
    }

    [Fact]
    public void LoneSurrogatesAreEncodedAsReplacementCharacters()
    {
        Assert.Equal(Llama2.Encode("a\uFFFDb"), Llama2.Encode("a\uD800b"));
        Assert.Equal(Llama2.Encode("\uFFFD"), Llama2.Encode("\uDC00"));
        Assert.Equal("a\uFFFDb", Llama2.Decode(Llama2.Encode("a\uD800b")));
    }

    [Fact]
    public void BadIdsAreRejectedWithTheParameterName()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Llama2.Decode(new[] { 1, 32000 }));
        Assert.Equal("ids", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Llama2.TokenToPiece(-1));
        Assert.Null(Llama2.PieceToId("no such piece"));
        Assert.Equal(Llama2.Encode("Hello world").Length, Llama2.CountTokens("Hello world"));
    }
}
