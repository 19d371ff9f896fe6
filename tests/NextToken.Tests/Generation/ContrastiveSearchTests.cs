using NextToken.Generation;
using NextToken.Tests.Generation.Fakes;

namespace NextToken.Tests.Generation;

public class ContrastiveSearchTests
{
    private static readonly CharTokenizer Tokenizer = new();

    /// <summary>Next token: 'a' with p = 0.6, 'b' with 0.4. Hidden state: one-hot of the token (so repeats have cosine 1).</summary>
    private static FakeModel Model() => new(Tokenizer, Tokenizer.VocabularySize,
        _ =>
        {
            var logits = Enumerable.Repeat(float.NegativeInfinity, Tokenizer.VocabularySize).ToArray();
            logits[CharTokenizer.Id('a')] = MathF.Log(0.6f);
            logits[CharTokenizer.Id('b')] = MathF.Log(0.4f);
            return logits;
        },
        hidden: history =>
        {
            var state = new float[Tokenizer.VocabularySize];
            state[history[^1]] = 1f;
            return state;
        },
        embeddingLength: Tokenizer.VocabularySize);

    [Fact]
    public void TheDegenerationPenaltyAvoidsRepeats()
    {
        // Prompt "a": candidate 'a' scores 0.5·0.6 − 0.5·1 = −0.2, 'b' scores 0.5·0.4 − 0.5·0 = 0.2, so 'b'.
        // Then both have been seen (cosine 1): 'a' wins by probability, and so on.
        var result = new Generator(Model()).Generate("a", new GenerationOptions { MaxNewTokens = 3, PenaltyAlpha = 0.5f, TopK = 2, EosTokenIds = [] });
        Assert.Equal("baa", result.Text);
        Assert.Equal(0.4f, result.Tokens[0].Probability, 1e-5f);
    }

    [Fact]
    public void AlphaZeroIsGreedy()
    {
        var model = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 9);
        var generator = new Generator(model);
        var greedy = generator.Generate("ab", new GenerationOptions { MaxNewTokens = 10, EosTokenIds = [] });
        var contrastive = generator.Generate("ab", new GenerationOptions { MaxNewTokens = 10, EosTokenIds = [], PenaltyAlpha = 1e-9f, TopK = 4 });
        Assert.Equal(greedy.TokenIds, contrastive.TokenIds);
    }

    [Fact]
    public void ContrastiveSearchNeedsTopKOfTwo()
    {
        Assert.Equal("top_k", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new Generator(Model()).Generate("a", new GenerationOptions { PenaltyAlpha = 0.5f, TopK = 1 })).ParamName);
    }
}
