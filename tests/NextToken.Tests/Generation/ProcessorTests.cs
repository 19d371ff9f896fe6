using NextToken.Generation.Processing;

namespace NextToken.Tests.Generation;

public class ProcessorTests
{
    private const float Tolerance = 1e-5f;

    private static void AssertCandidates(CandidateSet set, int[] ids, float[] probabilities)
    {
        set.EnsureProbabilities();
        Assert.Equal(ids, set.Ids.ToArray());
        Assert.Equal(probabilities.Length, set.Count);
        for (var i = 0; i < probabilities.Length; i++) Assert.Equal(probabilities[i], set.Probabilities[i], Tolerance);
    }

    private static float[] Logits(CandidateSet set) => set.Logits.ToArray();

    [Fact]
    public void TopPKeepsTheSmallestNucleusAndRenormalises()
    {
        var set = CandidateSet.FromProbabilities([0.1f, 0.2f, 0.3f, 0.4f]);
        new TopPProcessor(0.7f).Apply(set, DecodingContext.Empty);
        AssertCandidates(set, [3, 2], [0.571429f, 0.428571f]);
    }

    [Fact]
    public void TopPOfOneKeepsEverything()
    {
        var set = CandidateSet.FromProbabilities([0.1f, 0.2f, 0.3f, 0.4f]);
        new TopPProcessor(1f).Apply(set, DecodingContext.Empty);
        Assert.Equal(4, set.Count);
    }

    [Fact]
    public void TopKKeepsTheKBestAndBreaksTiesByLowerId()
    {
        var set = CandidateSet.FromLogits([1f, 3f, 2f, 3f]);
        new TopKProcessor(2).Apply(set, DecodingContext.Empty);
        AssertCandidates(set, [1, 3], [0.5f, 0.5f]);
        var all = CandidateSet.FromLogits([1f, 3f]);
        new TopKProcessor(0).Apply(all, DecodingContext.Empty);
        Assert.Equal(2, all.Count);
    }

    [Fact]
    public void MinPScalesTheThresholdByTheTopProbability()
    {
        var set = CandidateSet.FromProbabilities([0.5f, 0.3f, 0.15f, 0.05f]);
        new MinPProcessor(0.25f).Apply(set, DecodingContext.Empty); // threshold 0.125
        AssertCandidates(set, [0, 1, 2], [0.526316f, 0.315789f, 0.157895f]);
    }

    [Fact]
    public void TypicalPKeepsTheTokensClosestToTheEntropy()
    {
        // H = 1.2799; |-ln p - H| = 0.364, 0.076, 0.330, 1.023: most typical are 0.3 then 0.2, which reach 0.5.
        var set = CandidateSet.FromProbabilities([0.4f, 0.3f, 0.2f, 0.1f]);
        new TypicalPProcessor(0.5f).Apply(set, DecodingContext.Empty);
        AssertCandidates(set, [1, 2], [0.6f, 0.4f]);
    }

    [Fact]
    public void TemperatureDividesLogits()
    {
        var set = CandidateSet.FromLogits([1f, 2f, -4f]);
        new TemperatureProcessor(0.5f).Apply(set, DecodingContext.Empty);
        Assert.Equal([2f, 4f, -8f], Logits(set));
    }

    [Fact]
    public void RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens()
    {
        var set = CandidateSet.FromLogits([2f, -1f, 0.5f, 3f]);
        new RepetitionPenaltyProcessor(2f).Apply(set, new DecodingContext([0, 1, 1], 2));
        Assert.Equal([1f, -2f, 0.5f, 3f], Logits(set));
    }

    [Fact]
    public void FrequencyAndPresencePenaltiesCountGeneratedTokensOnly()
    {
        var set = CandidateSet.FromLogits([0f, 0f, 0f, 0f]);
        new FrequencyPresencePenaltyProcessor(0.5f, 1f).Apply(set, new DecodingContext([3, 0, 0, 1], 1));
        Assert.Equal([-2f, -1.5f, 0f, 0f], Logits(set));
    }

    [Fact]
    public void NoRepeatNgramBansCompletionsOfEarlierNgrams()
    {
        var bigram = CandidateSet.FromLogits([0f, 0f, 0f, 0f]);
        new NoRepeatNgramProcessor(2).Apply(bigram, DecodingContext.Generated(1, 2, 3, 1));
        Assert.Equal([0f, 0f, float.NegativeInfinity, 0f], Logits(bigram));
        var trigram = CandidateSet.FromLogits([0f, 0f, 0f, 0f]);
        new NoRepeatNgramProcessor(3).Apply(trigram, DecodingContext.Generated(1, 2, 3, 1, 2));
        Assert.Equal([0f, 0f, 0f, float.NegativeInfinity], Logits(trigram));
    }

    [Fact]
    public void BadWordsBanSingleTokensAlwaysAndSequencesWhenTheirPrefixMatches()
    {
        var processor = new BadWordsProcessor([[3], [1, 2]]);
        var matching = CandidateSet.FromLogits([0f, 0f, 0f, 0f]);
        processor.Apply(matching, DecodingContext.Generated(0, 1));
        Assert.Equal([0f, 0f, float.NegativeInfinity, float.NegativeInfinity], Logits(matching));
        var other = CandidateSet.FromLogits([0f, 0f, 0f, 0f]);
        processor.Apply(other, DecodingContext.Generated(0, 2));
        Assert.Equal([0f, 0f, 0f, float.NegativeInfinity], Logits(other));
    }

    [Fact]
    public void LogitBiasAddsToNamedTokens()
    {
        var set = CandidateSet.FromLogits([1f, 1f, 1f]);
        new LogitBiasProcessor(new Dictionary<int, float> { [2] = 1.5f, [0] = float.NegativeInfinity }).Apply(set, DecodingContext.Empty);
        Assert.Equal([float.NegativeInfinity, 1f, 2.5f], Logits(set));
    }

    [Fact]
    public void MinNewTokensHoldsBackEosUntilReached()
    {
        var processor = new MinNewTokensProcessor(2, [1]);
        var early = CandidateSet.FromLogits([0f, 5f, 0f]);
        processor.Apply(early, new DecodingContext([7, 8, 9], 2));
        Assert.Equal([0f, float.NegativeInfinity, 0f], Logits(early));
        var late = CandidateSet.FromLogits([0f, 5f, 0f]);
        processor.Apply(late, new DecodingContext([7, 8, 9, 9], 2));
        Assert.Equal([0f, 5f, 0f], Logits(late));
    }

    [Fact]
    public void SuppressTokensBansThem()
    {
        var set = CandidateSet.FromLogits([1f, 2f, 3f]);
        new SuppressTokensProcessor([2]).Apply(set, DecodingContext.Empty);
        set.Softmax();
        Assert.Equal(0f, set.Probabilities[2]);
        new GreedySampler().Apply(set, DecodingContext.Empty);
        Assert.Equal(1, set.SelectedId);
    }

    [Fact]
    public void GreedyPicksTheHighestLogitAndTheLowerIdOnTies()
    {
        var set = CandidateSet.FromLogits([1f, 4f, 4f, 2f]);
        new GreedySampler().Apply(set, DecodingContext.Empty);
        Assert.Equal(1, set.SelectedId);
    }

    [Fact]
    public void ChainAppliesStepsInOrder()
    {
        // Temperature 0.5 then top-k 2 over logits ln(0.1..0.4): keeps 0.4², 0.3² renormalised = 0.64, 0.36.
        var chain = new ProcessorChain(new TemperatureProcessor(0.5f), new TopKProcessor(2));
        var set = CandidateSet.FromProbabilities([0.1f, 0.2f, 0.3f, 0.4f]);
        chain.Apply(set, DecodingContext.Empty);
        AssertCandidates(set, [3, 2], [0.64f, 0.36f]);
        Assert.Equal("chain(temperature, top-k)", chain.Name);
    }

    [Fact]
    public void Pcg32MatchesTheReferenceDemo()
    {
        // pcg32-demo from the PCG reference implementation: pcg32_srandom_r(&rng, 42u, 54u).
        var random = new Pcg32(42, 54);
        uint[] expected = [0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e];
        Assert.Equal(expected, expected.Select(_ => random.NextUInt32()).ToArray());
    }

    [Fact]
    public void MultinomialSamplingIsReproducibleAndFollowsTheProbabilities()
    {
        int[] Draws(ulong seed, int n)
        {
            var sampler = new MultinomialSampler(seed);
            var draws = new int[n];
            for (var i = 0; i < n; i++)
            {
                var set = CandidateSet.FromProbabilities([0.1f, 0.2f, 0.3f, 0.4f]);
                sampler.Apply(set, DecodingContext.Empty);
                draws[i] = set.SelectedId;
            }
            return draws;
        }
        Assert.Equal(Draws(7, 50), Draws(7, 50));
        Assert.NotEqual(Draws(7, 50), Draws(8, 50));
        var many = Draws(1, 20000);
        for (var id = 0; id < 4; id++)
            Assert.Equal(0.1 * (id + 1), many.Count(d => d == id) / 20000.0, 0.015);
    }

    [Fact]
    public void SamplerResetAndCloneRepeatTheSequence()
    {
        var sampler = new MultinomialSampler(3);
        var set = CandidateSet.FromProbabilities([0.25f, 0.25f, 0.25f, 0.25f]);
        var clone = sampler.Clone();
        var first = Enumerable.Range(0, 10).Select(_ => { sampler.Apply(set, DecodingContext.Empty); return set.SelectedId; }).ToArray();
        var fromClone = Enumerable.Range(0, 10).Select(_ => { clone.Apply(set, DecodingContext.Empty); return set.SelectedId; }).ToArray();
        sampler.Reset();
        var afterReset = Enumerable.Range(0, 10).Select(_ => { sampler.Apply(set, DecodingContext.Empty); return set.SelectedId; }).ToArray();
        Assert.Equal(first, fromClone);
        Assert.Equal(first, afterReset);
    }

    [Fact]
    public void BadParametersAreRejectedWithHuggingFaceNames()
    {
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureProcessor(-1f)).ParamName);
        Assert.Equal("top_p", Assert.Throws<ArgumentOutOfRangeException>(() => new TopPProcessor(0f)).ParamName);
        Assert.Equal("top_p", Assert.Throws<ArgumentOutOfRangeException>(() => new TopPProcessor(1.5f)).ParamName);
        Assert.Equal("top_k", Assert.Throws<ArgumentOutOfRangeException>(() => new TopKProcessor(-1)).ParamName);
        Assert.Equal("min_p", Assert.Throws<ArgumentOutOfRangeException>(() => new MinPProcessor(2f)).ParamName);
        Assert.Equal("typical_p", Assert.Throws<ArgumentOutOfRangeException>(() => new TypicalPProcessor(0f)).ParamName);
        Assert.Equal("repetition_penalty", Assert.Throws<ArgumentOutOfRangeException>(() => new RepetitionPenaltyProcessor(0f)).ParamName);
        Assert.Equal("no_repeat_ngram_size", Assert.Throws<ArgumentOutOfRangeException>(() => new NoRepeatNgramProcessor(-2)).ParamName);
        Assert.Equal("bad_words_ids", Assert.Throws<ArgumentException>(() => new BadWordsProcessor([[]])).ParamName);
    }
}
