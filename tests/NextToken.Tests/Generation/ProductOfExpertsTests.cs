using NextToken.Generation;
using NextToken.Tests.Generation.Fakes;

namespace NextToken.Tests.Generation;

public class ProductOfExpertsTests
{
    private static readonly CharTokenizer Tokenizer = new();
    private static readonly FakeModel Model = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 21, scale: 2f);

    [Fact]
    public void OneExpertEqualsPlainDecoding()
    {
        var options = new GenerationOptions { MaxNewTokens = 15, DoSample = true, Seed = 4, EosTokenIds = [], ReturnScores = true };
        var plain = new Generator(Model).Generate("abc", options);
        var poe = new ProductOfExperts([new Expert(Model, "abc")]).Generate(options);
        Assert.Equal(plain.TokenIds, poe.TokenIds);
        for (var i = 0; i < plain.Tokens.Count; i++)
            Assert.Equal(plain.Tokens[i].Probability, poe.Tokens[i].Probability, 1e-5f);
    }

    [Fact]
    public void TwoIdenticalExpertsEqualHalfTheTemperature()
    {
        var plain = new Generator(Model).Generate("abc", new GenerationOptions { MaxNewTokens = 15, DoSample = true, Temperature = 0.5f, Seed = 8, EosTokenIds = [], TopAlternatives = 5 });
        var poe = new ProductOfExperts([new Expert(Model, "abc"), new Expert(Model, "abc")])
            .Generate(new GenerationOptions { MaxNewTokens = 15, DoSample = true, Seed = 8, EosTokenIds = [], TopAlternatives = 5 });
        Assert.Equal(plain.TokenIds, poe.TokenIds);
        for (var i = 0; i < plain.Tokens.Count; i++)
        {
            Assert.Equal(plain.Tokens[i].Probability, poe.Tokens[i].Probability, 1e-5f);
            for (var k = 0; k < 5; k++)
            {
                Assert.Equal(plain.Tokens[i].Alternatives![k].Id, poe.Tokens[i].Alternatives![k].Id);
                Assert.Equal(plain.Tokens[i].Alternatives![k].Probability, poe.Tokens[i].Alternatives![k].Probability, 1e-5f);
            }
        }
    }

    [Fact]
    public void ExpertsWithDifferentPromptsAreCombined()
    {
        // Expert 0 reads "ab", expert 1 reads "ba": the first step's scores are the weighted sum of both log-softmaxes.
        var other = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 22, scale: 2f);
        var poe = new ProductOfExperts([new Expert(Model, "ab", 1f), new Expert(other, "ba", -0.5f)])
            .Generate(new GenerationOptions { MaxNewTokens = 1, EosTokenIds = [], ReturnLogits = true });
        var first = Model.CreateSession().Forward(Tokenizer.Encode("ab", true)).LastLogits.ToArray();
        var second = other.CreateSession().Forward(Tokenizer.Encode("ba", true)).LastLogits.ToArray();
        var logits = poe.Tokens[0].Logits!;
        for (var v = 0; v < logits.Length; v++)
        {
            var expected = NextToken.Scoring.Scorer.LogProbability(first, v) - 0.5 * NextToken.Scoring.Scorer.LogProbability(second, v);
            Assert.Equal(expected, logits[v], 1e-4);
        }
        Assert.Equal(Array.IndexOf(logits, logits.Max()), poe.TokenIds[0]);
    }

    [Fact]
    public void ExpertsMustShareATokenizer()
    {
        var merging = new CharTokenizer(true, "ab");
        var otherModel = FakeModel.Random(merging, merging.VocabularySize, seed: 1);
        var error = Assert.Throws<ArgumentException>(() => new ProductOfExperts([new Expert(Model, "abc"), new Expert(otherModel, "abc")]));
        Assert.Equal("experts[1]", error.ParamName);
        var sameSize = FakeModel.Random(new CharTokenizer(false), Tokenizer.VocabularySize, seed: 1);
        Assert.Equal("experts[1]", Assert.Throws<ArgumentException>(() => new ProductOfExperts([new Expert(Model, "abc"), new Expert(sameSize, "abc")])).ParamName);
        Assert.Throws<ArgumentException>(() => new ProductOfExperts([]));
    }
}
