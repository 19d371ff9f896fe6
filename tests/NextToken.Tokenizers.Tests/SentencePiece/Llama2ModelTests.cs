using NextToken.Testing;
using NextToken.Tokenizers.SentencePiece;

namespace NextToken.Tokenizers.Tests.SentencePiece;

/// <summary>The Llama 2 <c>tokenizer.model</c> (BPE, byte fallback, identity normalizer) against Google's sentencepiece.</summary>
public class Llama2ModelTests
{
    internal static readonly Lazy<SentencePieceTokenizer> Llama2 = new(() => SentencePieceTokenizer.FromModelFile(TestData.Path("tokenizers/llama2/tokenizer.model")));

    public static TheoryData<string, int[], string[]> Golden()
    {
        var data = new TheoryData<string, int[], string[]>();
        foreach (var line in TestData.JsonLines("golden/tokenize/spm-llama2.jsonl"))
        {
            data.Add(line.GetProperty("text").GetString()!,
                line.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                line.GetProperty("pieces").EnumerateArray().Select(e => e.GetString()!).ToArray());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void MatchesSentencePiece(string text, int[] ids, string[] pieces)
    {
        var tok = Llama2.Value;
        var actual = tok.Encode(text);
        Assert.Equal(ids, actual);
        Assert.Equal(pieces, actual.Select(tok.TokenToPiece).ToArray());
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void DecodeRestoresTheText(string text, int[] ids, string[] pieces)
    {
        // Llama 2 keeps every space (no extra-space removal) and its dummy prefix is the one space Decode drops,
        // so decoding gives the text back exactly.
        _ = pieces;
        Assert.Equal(text, Llama2.Value.Decode(ids));
    }

    [Fact]
    public void AddsBosLikeLlama()
    {
        var tok = Llama2.Value;
        Assert.Equal(new[] { 1, 6575 }, tok.Encode("sun", addSpecialTokens: true));
        Assert.Equal(32000, tok.VocabularySize);
        Assert.Equal((1, 2, 0), (tok.BosTokenId, tok.EosTokenId, tok.UnknownTokenId));
        Assert.Null(tok.PadTokenId);
        Assert.True(tok.IsBpe);
    }
}
