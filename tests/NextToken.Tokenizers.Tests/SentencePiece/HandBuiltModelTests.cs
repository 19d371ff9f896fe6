using NextToken.Tokenizers.SentencePiece;

namespace NextToken.Tokenizers.Tests.SentencePiece;

/// <summary>Tiny Unigram and BPE models written in the test, with segmentations that can be checked by hand.</summary>
public sealed class HandBuiltModelTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Pieces(SentencePieceTokenizer tok, string text) => tok.Encode(text).Select(tok.TokenToPiece).ToArray();

    private SentencePieceTokenizer Unigram(bool byteFallback = false)
    {
        var writer = new ModelProtoWriter { ModelType = 1, ByteFallback = byteFallback }.AddDefaultSpecials()
            .Add("▁", -1).Add("a", -2).Add("b", -2).Add("ab", -3).Add("▁a", -2.5f).Add("c", -20, PieceType.Unused)
            .Add("<x>", 0, PieceType.UserDefined);
        if (byteFallback)
        {
            for (var b = 0; b < 256; b++) writer.Add($"<0x{b:X2}>", 0, PieceType.Byte);
        }
        return SentencePieceTokenizer.FromModelFile(writer.WriteTo(_dir.Path));
    }

    [Fact]
    public void UnigramPicksTheBestTotalScore()
    {
        // "▁ab": ▁|a|b = -1-2-2 = -5, ▁a|b = -2.5-2 = -4.5, ▁|ab = -1-3 = -4 (best).
        var tok = Unigram();
        Assert.False(tok.IsBpe);
        Assert.Equal(new[] { "▁", "ab" }, Pieces(tok, "ab"));
        // "▁ba": no "ba" and no "▁b", so ▁|b|a is the only path.
        Assert.Equal(new[] { "▁", "b", "a" }, Pieces(tok, "ba"));
        // "▁a▁a": ▁a costs -2.5 against ▁|a at -3.
        Assert.Equal(new[] { "▁a", "▁a" }, Pieces(tok, "a a"));
    }

    [Fact]
    public void UnigramJoinsRunsOfUnknownCharacters()
    {
        // "c" is an unused piece (never used to segment), "d" no piece at all: "cdd" is one unknown run.
        // ▁a (-2.5) beats ▁|a (-3).
        var tok = Unigram();
        Assert.Equal(new[] { "▁a", "<unk>", "b" }, Pieces(tok, "acddb"));
    }

    [Fact]
    public void UnigramByteFallbackSpellsTheUnknownRunInBytes()
    {
        var tok = Unigram(byteFallback: true);
        Assert.Equal(new[] { "▁a", "<0x63>", "<0xC3>", "<0xA9>" }, Pieces(tok, "acé"));
        Assert.Equal("acé", tok.Decode(tok.Encode("acé")));
    }

    [Fact]
    public void UnigramMatchesUserDefinedPiecesWhole()
    {
        // <x> scores 3 × FLT_MIN − 0.1 ≈ −0.1, far better than spelling it with unknowns.
        var tok = Unigram();
        Assert.Equal(new[] { "▁a", "<x>", "b" }, Pieces(tok, "a<x>b"));
    }

    [Fact]
    public void NormalizerRemovesExtraSpacesByDefault()
    {
        // remove_extra_whitespaces is SentencePiece's default: "  a   b  " is normalized to "▁a▁b".
        var tok = Unigram();
        Assert.Equal(new[] { "▁a", "▁", "b" }, Pieces(tok, "  a   b  "));
        Assert.Empty(tok.Encode("   "));
    }

    private SentencePieceTokenizer Bpe(bool byteFallback = false)
    {
        var writer = new ModelProtoWriter { ModelType = 2, ByteFallback = byteFallback, RemoveExtraWhitespaces = false }.AddDefaultSpecials()
            .Add("▁", 0).Add("a", 0).Add("b", 0).Add("c", 0)
            .Add("ab", -1).Add("bc", -0.5f).Add("abc", -2).Add("▁a", -3).Add("bb", -1)
            .Add("ca", -0.1f, PieceType.Unused).Add("<x>", 0, PieceType.UserDefined);
        if (byteFallback)
        {
            for (var b = 0; b < 256; b++) writer.Add($"<0x{b:X2}>", 0, PieceType.Byte);
        }
        return SentencePieceTokenizer.FromModelFile(writer.WriteTo(_dir.Path));
    }

    [Fact]
    public void BpeMergesTheBestScoringPairFirst()
    {
        var tok = Bpe();
        Assert.True(tok.IsBpe);
        // ▁ a b c: candidates ▁a -3, ab -1, bc -0.5 → bc; then ▁a -3, abc -2 → abc; "▁abc" is no piece.
        Assert.Equal(new[] { "▁", "abc" }, Pieces(tok, "abc"));
        // ▁ a b: ab -1 beats ▁a -3.
        Assert.Equal(new[] { "▁", "ab" }, Pieces(tok, "ab"));
        // ▁ a c: only ▁a.
        Assert.Equal(new[] { "▁a", "c" }, Pieces(tok, "ac"));
    }

    [Fact]
    public void BpeBreaksTiesToTheLeft()
    {
        // ▁ b b b: two "bb" candidates with equal score; the left one merges first.
        Assert.Equal(new[] { "▁", "bb", "b" }, Pieces(Bpe(), "bbb"));
    }

    [Fact]
    public void BpeSplitsUnusedPiecesBackIntoTheirParts()
    {
        // "ca" (unused) is merged, then given back as c + a, as SentencePiece does.
        Assert.Equal(new[] { "▁", "c", "a" }, Pieces(Bpe(), "ca"));
    }

    [Fact]
    public void BpeKeepsUserDefinedPiecesWhole()
    {
        Assert.Equal(new[] { "▁a", "<x>", "b" }, Pieces(Bpe(), "a<x>b"));
    }

    [Fact]
    public void BpeWithoutByteFallbackGivesUnknown()
    {
        var tok = Bpe();
        Assert.Equal(new[] { "▁a", "<unk>", "b" }, Pieces(tok, "aéb"));
    }

    [Fact]
    public void BpeByteFallbackGivesTheUtf8Bytes()
    {
        var tok = Bpe(byteFallback: true);
        Assert.Equal(new[] { "▁a", "<0xC3>", "<0xA9>", "b" }, Pieces(tok, "aéb"));
        Assert.Equal("aéb", tok.Decode(tok.Encode("aéb")));
    }

    [Fact]
    public void PrecompiledCharsMapReplacesMatchedText()
    {
        // A one-rule double-array trie, built by hand: the byte 'A' (0x41) maps to "a".
        // Root unit 0 has offset 1, so 'A' lands on unit 1 ^ 0x41 = 64: label 0x41, has-leaf, offset 1 → the
        // value unit 65, whose value 0 is the offset of "a\0" in the replacement blob.
        var units = new uint[66];
        units[0] = 1u << 10;
        units[64] = (1u << 10) | (1u << 8) | 0x41;
        units[65] = (1u << 31) | 0;
        var blob = new List<byte>(BitConverter.GetBytes((uint)(units.Length * 4)));
        foreach (var unit in units) blob.AddRange(BitConverter.GetBytes(unit));
        blob.AddRange("a\0"u8.ToArray());

        var writer = new ModelProtoWriter { ModelType = 2, CharsMap = [.. blob] }.AddDefaultSpecials()
            .Add("▁", 0).Add("a", 0).Add("b", 0).Add("ab", -1).Add("▁a", -3);
        var tok = SentencePieceTokenizer.FromModelFile(writer.WriteTo(_dir.Path));
        // "Ab  A" → "ab a" (rule) → extra space removed → "▁ab▁a".
        Assert.Equal(new[] { "▁", "ab", "▁a" }, Pieces(tok, "Ab  A"));
        var offsets = tok.EncodeWithOffsets("Ab  A");
        Assert.Equal(new EncodedToken(tok.PieceToId("▁a")!.Value, 2, 3), offsets[2]);
    }
}
