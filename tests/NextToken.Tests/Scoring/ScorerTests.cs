using NextToken.Scoring;
using NextToken.Tests.Generation.Fakes;

namespace NextToken.Tests.Scoring;

public class ScorerTests
{
    private static readonly CharTokenizer Tokenizer = new();

    /// <summary>A bigram model: the logits depend only on the last token.</summary>
    private static readonly FakeModel Bigram = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 12, order: 1, contextLength: 128);

    private static double ManualNll(FakeModel model, int[] ids, int from)
    {
        double nll = 0;
        for (var i = from; i < ids.Length; i++)
            nll -= Scorer.LogProbability(model.CreateSession().Forward(ids[..i]).LastLogits, ids[i]);
        return nll;
    }

    [Fact]
    public void NllScoresEveryTextTokenAfterBos()
    {
        var scorer = new Scorer(Bigram);
        var ids = scorer.EncodeForScoring("hello");
        Assert.Equal([0, .. Tokenizer.Encode("hello")], ids);
        Assert.Equal(ManualNll(Bigram, ids, 1), scorer.Nll("hello"), 1e-9);
        Assert.Equal(5, scorer.TokenLogProbabilities("hello").Count);
        Assert.Equal(0, scorer.Nll(""));
    }

    [Fact]
    public void WithoutBosTheFirstTokenIsNotScored()
    {
        var noBos = new CharTokenizer(addsBos: false);
        var model = FakeModel.Random(noBos, noBos.VocabularySize, seed: 12, order: 1);
        var scorer = new Scorer(model);
        Assert.Equal(4, scorer.TokenLogProbabilities("hello").Count);
        Assert.Equal(ManualNll(model, noBos.Encode("hello"), 1), scorer.Nll("hello"), 1e-9);
    }

    [Fact]
    public void ConditionalNllIsTheDifferenceOfNlls()
    {
        var scorer = new Scorer(FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 3, order: 3));
        foreach (var (a, b) in new[] { ("The capital of France is", "Paris."), ("Once upon a time", "there was a dog."), ("x", "y") })
        {
            var identity = scorer.Nll(a + " " + b) - scorer.Nll(a);
            Assert.Equal(identity, scorer.ConditionalNll(a, b), 1e-4);
            Assert.False(scorer.SplitContinuation(a, b).ContextMerged);
        }
    }

    [Fact]
    public void TokensMergedAcrossTheBoundaryCountAsContinuation()
    {
        // "s P" is one token of this tokenizer: the context "…is" ends inside it.
        var merging = new CharTokenizer(true, "s P");
        var scorer = new Scorer(FakeModel.Random(merging, merging.VocabularySize, seed: 3, order: 2));
        var split = scorer.SplitContinuation("It is", "Paris");
        Assert.True(split.ContextMerged);
        Assert.Equal(merging.Encode("It is Paris", true)[..split.ContinuationStart], merging.Encode("It i", true));
        var manual = ManualNll((FakeModel)scorer.Model, split.Ids, split.ContinuationStart);
        Assert.Equal(manual, scorer.ConditionalNll("It is", "Paris"), 1e-9);
    }

    [Fact]
    public void BatchedScoresEqualOneByOne()
    {
        var scorer = new Scorer(Bigram);
        string[] texts = ["hello there", "a", "", "The quick brown fox."];
        Assert.Equal(texts.Select(t => scorer.Nll(t)).ToArray(), scorer.Nll(texts));
        (string, string)[] pairs = [("a b", "c"), ("hello", "world!")];
        Assert.Equal(pairs.Select(p => scorer.ConditionalNll(p.Item1, p.Item2)).ToArray(), scorer.ConditionalNll(pairs));
    }

    [Fact]
    public void TokenScoresCarryRanksAndPieces()
    {
        // A model that always predicts 'a' most, 'b' second.
        var model = new FakeModel(Tokenizer, Tokenizer.VocabularySize, _ =>
        {
            var logits = new float[Tokenizer.VocabularySize];
            logits[CharTokenizer.Id('a')] = 2f;
            logits[CharTokenizer.Id('b')] = 1f;
            return logits;
        });
        var scores = new Scorer(model).TokenLogProbabilities("abc");
        Assert.Equal([1, 2, 3], scores.Select(s => s.Rank).ToArray());
        Assert.Equal(["a", "b", "c"], scores.Select(s => s.Piece).ToArray());
        Assert.Equal([1, 2, 3], scores.Select(s => s.Position).ToArray());
        var z = Math.Exp(2) + Math.Exp(1) + (Tokenizer.VocabularySize - 2);
        Assert.Equal(2 - Math.Log(z), scores[0].LogProbability, 1e-6);
    }

    [Theory]
    [InlineData(8, 4)]
    [InlineData(8, 8)]
    [InlineData(5, 1)]
    [InlineData(0, 0)]
    public void SlidingWindowPerplexityScoresEveryTokenOnce(int maxLength, int stride)
    {
        var text = "the cat sat on the mat and the dog sat on the log";
        var scorer = new Scorer(Bigram);
        var result = scorer.Perplexity(text, maxLength, stride);
        var ids = scorer.EncodeForScoring(text);
        var windowStarts = maxLength > 0 ? Enumerable.Range(0, ids.Length).Where(b => b % stride == 0 && b > 0).ToArray() : [];
        // A window that starts a new stretch scores its first token only when the stride equals the window (no overlap):
        // then that token has no context in its window and Hugging Face's recipe leaves it unscored.
        var expectedScored = ids.Length - 1 - (maxLength == stride && maxLength > 0 ? windowStarts.Count(b => b < ids.Length) : 0);
        Assert.Equal(expectedScored, result.ScoredTokens);
        if (maxLength != stride)
        {
            // A bigram model needs one token of context, which every window gives: the result equals scoring it whole.
            Assert.Equal(scorer.Nll(text), result.Nll, 1e-6);
            Assert.Equal(Math.Exp(scorer.Nll(text) / (ids.Length - 1)), result.Perplexity, 1e-9);
        }
    }

    [Fact]
    public void PerplexityRejectsBadWindows()
    {
        var scorer = new Scorer(Bigram);
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Perplexity("abc", 1)).ParamName);
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Perplexity("abc", 1000)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Perplexity("abc", 8, 9)).ParamName);
    }
}
