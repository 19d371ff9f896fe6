namespace NextToken.Tokenizers.Tests;

/// <summary>Hand-checkable GPT-2 cases (the course examples) and special-token handling.</summary>
public class Gpt2Tests
{
    [Fact]
    public void CourseExamples()
    {
        var gpt2 = LoadedTokenizers.Gpt2;
        Assert.Equal([37534, 6197, 516, 11, 314, 1101, 781, 397, 3900, 8992, 0], gpt2.Encode("Preposterous, I'm flabbergasted!"));
        Assert.Equal([464, 4583, 286, 44449, 318], gpt2.Encode("The theory of relativity is"));
    }

    [Fact]
    public void PiecesShowTheByteLevelAlphabet()
    {
        var gpt2 = LoadedTokenizers.Gpt2;
        var ids = gpt2.Encode("The theory\n");
        Assert.Equal(["The", "Ġtheory", "Ċ"], ids.Select(gpt2.TokenToPiece));
        Assert.Equal(4583, gpt2.PieceToId("Ġtheory"));
        Assert.Null(gpt2.PieceToId("Ġnot-a-token-at-all"));
        Assert.Equal(" theory"u8.ToArray(), gpt2.TokenBytes(4583));
    }

    [Fact]
    public void EndOfTextIsSpecialOnlyWhenAllowed()
    {
        foreach (var tokenizer in new Tokenizer[] { LoadedTokenizers.Gpt2, LoadedTokenizers.Tiktoken("r50k_base") })
        {
            Assert.Equal([50256], tokenizer.Encode("<|endoftext|>", allowSpecialTokens: true));
            var plain = tokenizer.Encode("<|endoftext|>");
            Assert.DoesNotContain(50256, plain);
            Assert.Equal("<|endoftext|>", tokenizer.Decode(plain));
            Assert.Equal([464, 50256, 464], tokenizer.Encode("The<|endoftext|>The", allowSpecialTokens: true));
            Assert.True(tokenizer.IsSpecialToken(50256));
            Assert.False(tokenizer.IsSpecialToken(464));
            Assert.Equal("The", tokenizer.Decode([464, 50256], skipSpecialTokens: true));
            Assert.Equal("<|endoftext|>", tokenizer.TokenToPiece(50256));
        }
    }

    [Fact]
    public void Gpt2HasEndOfTextAsBosAndEosButAddsNeither()
    {
        var gpt2 = LoadedTokenizers.Gpt2;
        Assert.Equal(50256, gpt2.EosTokenId);
        Assert.Equal(50257, gpt2.VocabularySize);
        Assert.False(gpt2.AddsBosToken);
        Assert.Equal(gpt2.Encode("hi"), gpt2.Encode("hi", addSpecialTokens: true));
    }

    [Fact]
    public void DecodeRejectsUnknownIds()
    {
        var gpt2 = LoadedTokenizers.Gpt2;
        Assert.Throws<ArgumentOutOfRangeException>(() => gpt2.Decode([50257]));
        Assert.Throws<ArgumentOutOfRangeException>(() => gpt2.Decode([-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => gpt2.TokenToPiece(1 << 20));
    }

    [Fact]
    public void LongPiecesUseTheHeapMergeAndAgreeWithShortOnes()
    {
        // 3000 letters is one piece: the heap path must give the same as repeating the 60-letter answer pattern would.
        var gpt2 = LoadedTokenizers.Gpt2;
        var text = string.Concat(Enumerable.Repeat("abcdefghij", 300));
        var ids = gpt2.Encode(text);
        Assert.Equal(text, gpt2.Decode(ids));
        var r50k = LoadedTokenizers.Tiktoken("r50k_base");
        Assert.Equal(r50k.Encode(text), ids);
    }
}
