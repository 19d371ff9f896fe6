using NextToken.Generation;
using NextToken.Scoring;
using NextToken.Tests.Generation.Fakes;

namespace NextToken.Tests.Generation;

public class SpeculativeDecoderTests
{
    private static readonly CharTokenizer Tokenizer = new();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void GreedyOutputEqualsTheTargetsGreedyOutput(int draftTokens)
    {
        var target = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 31, order: 1);
        // A draft that agrees with the target often but not always: the target's logits plus noise.
        var draft = new FakeModel(Tokenizer, Tokenizer.VocabularySize, history =>
        {
            var a = FakeModel.HashedVector(FakeModel.Last(history, 1), Tokenizer.VocabularySize, 31, 3f);
            var b = FakeModel.HashedVector(FakeModel.Last(history, 2), Tokenizer.VocabularySize, 77, 2f);
            return [.. a.Zip(b, (x, y) => x + y)];
        });
        var options = new GenerationOptions { MaxNewTokens = 40, EosTokenIds = [] };
        var plain = new Generator(target).Generate("ab", options);
        var speculative = new SpeculativeDecoder(target, draft, draftTokens).Generate("ab", options);
        Assert.Equal(plain.TokenIds, speculative.TokenIds);
        Assert.Equal(plain.Text, speculative.Text);
        var statistics = speculative.Speculation!;
        Assert.InRange(statistics.AcceptanceRate, 0.01, 0.99);
        Assert.True(statistics.Rounds > 0);
    }

    [Fact]
    public void ADraftEqualToTheTargetIsAlwaysAccepted()
    {
        var model = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 5);
        var result = new SpeculativeDecoder(model, model, 4).Generate("abc", new GenerationOptions { MaxNewTokens = 21, EosTokenIds = [] });
        Assert.Equal(new Generator(model).Generate("abc", new GenerationOptions { MaxNewTokens = 21, EosTokenIds = [] }).TokenIds, result.TokenIds);
        Assert.Equal(1.0, result.Speculation!.AcceptanceRate);
        Assert.Equal(4, result.Speculation.Rounds); // 5 tokens per round (4 accepted + 1 bonus), then one plain target step for the 21st
    }

    [Fact]
    public void SampledOutputFollowsTheTargetDistribution()
    {
        // Target and draft over four live tokens; two tokens are drafted per round, so both come from rejection sampling.
        int[] live = [CharTokenizer.Id('a'), CharTokenizer.Id('b'), CharTokenizer.Id('c'), CharTokenizer.Id('d')];
        FakeModel FourWay(int seed) => new(Tokenizer, Tokenizer.VocabularySize, history =>
        {
            var logits = Enumerable.Repeat(float.NegativeInfinity, Tokenizer.VocabularySize).ToArray();
            var values = FakeModel.HashedVector(FakeModel.Last(history, 1), 4, seed, 1.5f);
            for (var i = 0; i < 4; i++) logits[live[i]] = values[i];
            return logits;
        });
        var target = FourWay(1);
        var draft = FourWay(2);
        var prompt = Tokenizer.Encode("x", true);
        // Exact joint probability of the first two target tokens.
        var expected = new Dictionary<(int, int), double>();
        foreach (var first in live)
        foreach (var second in live)
        {
            var p1 = Math.Exp(Scorer.LogProbability(target.CreateSession().Forward(prompt).LastLogits, first));
            var p2 = Math.Exp(Scorer.LogProbability(target.CreateSession().Forward([.. prompt, first]).LastLogits, second));
            expected[(first, second)] = p1 * p2;
        }
        const int runs = 3000;
        var counts = new Dictionary<(int, int), int>();
        var decoder = new SpeculativeDecoder(target, draft, 2);
        var drafted = 0;
        var accepted = 0;
        for (var seed = 0; seed < runs; seed++)
        {
            var result = decoder.Generate("x", new GenerationOptions { MaxNewTokens = 3, DoSample = true, Seed = (ulong)seed, EosTokenIds = [] });
            var key = (result.TokenIds[0], result.TokenIds[1]);
            counts[key] = counts.GetValueOrDefault(key) + 1;
            drafted += result.Speculation!.DraftedTokens;
            accepted += result.Speculation.AcceptedTokens;
        }
        foreach (var (key, probability) in expected)
            Assert.Equal(probability, counts.GetValueOrDefault(key) / (double)runs, 0.03);
        Assert.InRange(accepted / (double)drafted, 0.05, 0.95);
    }

    [Fact]
    public void BeamSearchIsRejected()
    {
        var model = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 5);
        Assert.Equal("num_beams", Assert.Throws<ArgumentException>(() => new SpeculativeDecoder(model, model).Generate("a", new GenerationOptions { NumBeams = 2 })).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpeculativeDecoder(model, model, 0));
    }
}
