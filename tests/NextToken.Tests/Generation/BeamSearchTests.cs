using NextToken.Generation;
using NextToken.Tests.Generation.Fakes;

namespace NextToken.Tests.Generation;

public class BeamSearchTests
{
    private static readonly CharTokenizer Tokenizer = new();

    /// <summary>A model over the whole vocabulary whose logits favour only three tokens ('a', 'b', 'c'), pseudo-randomly by the last two tokens.</summary>
    private static FakeModel ThreeWay(int seed) => new(Tokenizer, Tokenizer.VocabularySize, history =>
    {
        var logits = Enumerable.Repeat(-1000f, Tokenizer.VocabularySize).ToArray();
        var values = FakeModel.HashedVector(FakeModel.Last(history, 2), 3, seed, 3f);
        for (var i = 0; i < 3; i++) logits[CharTokenizer.Id((char)('a' + i))] = values[i];
        return logits;
    });

    private static double LogProbability(FakeModel model, List<int> history, int token)
    {
        var logits = model.CreateSession().Forward(history.ToArray()).LastLogits;
        return NextToken.Scoring.Scorer.LogProbability(logits, token);
    }

    [Fact]
    public void OneBeamEqualsGreedy()
    {
        var model = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 3);
        var generator = new Generator(model);
        var greedy = generator.Generate("ab", new GenerationOptions { MaxNewTokens = 12, EosTokenIds = [] });
        var beam = generator.Generate("ab", new GenerationOptions { MaxNewTokens = 12, EosTokenIds = [], NumBeams = 1 });
        Assert.Equal(greedy.TokenIds, beam.TokenIds);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void WideEnoughBeamsEqualExhaustiveSearch(int seed)
    {
        // With 3 live tokens and a horizon of 3, 9 beams keep every prefix, so beam search must find the exact best.
        var model = ThreeWay(seed);
        var prompt = new List<int> { 0, CharTokenizer.Id('x') };
        var all = new List<(int[] Tokens, double Score)>();
        foreach (var t1 in "abc")
        foreach (var t2 in "abc")
        foreach (var t3 in "abc")
        {
            int[] tokens = [CharTokenizer.Id(t1), CharTokenizer.Id(t2), CharTokenizer.Id(t3)];
            double sum = 0;
            var history = new List<int>(prompt);
            foreach (var t in tokens)
            {
                sum += LogProbability(model, history, t);
                history.Add(t);
            }
            all.Add((tokens, sum / 3));
        }
        var exhaustive = all.OrderByDescending(a => a.Score).ToArray();
        var result = new Generator(model).Generate(prompt, new GenerationOptions { MaxNewTokens = 3, NumBeams = 9, NumReturnSequences = 4, EosTokenIds = [] });
        Assert.Equal(4, result.Sequences.Count);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(exhaustive[i].Tokens, result.Sequences[i].TokenIds);
            Assert.Equal(exhaustive[i].Score, result.Sequences[i].Score, 1e-5);
        }
        Assert.Equal(result.Sequences[0].TokenIds, result.TokenIds);
    }

    [Fact]
    public void BeamSearchBeatsGreedyWhenGreedyIsShortSighted()
    {
        // After the prompt: 'a' (0.6) then anything at 1/3 each, or 'b' (0.4) then 'c' at ~1: beams see further.
        var model = new FakeModel(Tokenizer, Tokenizer.VocabularySize, history =>
        {
            var logits = Enumerable.Repeat(-1000f, Tokenizer.VocabularySize).ToArray();
            var last = history[^1];
            if (last == CharTokenizer.Id('x')) { logits[CharTokenizer.Id('a')] = MathF.Log(0.6f); logits[CharTokenizer.Id('b')] = MathF.Log(0.4f); }
            else if (last == CharTokenizer.Id('b')) logits[CharTokenizer.Id('c')] = 0f;
            else { logits[CharTokenizer.Id('d')] = 0f; logits[CharTokenizer.Id('e')] = 0f; logits[CharTokenizer.Id('f')] = 0f; }
            return logits;
        });
        var generator = new Generator(model);
        Assert.Equal("ad", generator.Generate("x", new() { MaxNewTokens = 2 }).Text);
        var beams = generator.Generate("x", new() { MaxNewTokens = 2, NumBeams = 2, NumReturnSequences = 2 });
        Assert.Equal("bc", beams.Text);
        Assert.Equal(Math.Log(0.4) / 2, beams.Sequences[0].Score, 1e-5);
        Assert.Equal("ad", beams.Sequences[1].Text);
    }

    [Fact]
    public void FinishedHypothesesUseTheLengthPenalty()
    {
        // 'a' then EOS with certainty (sum log 0.5 over 2 tokens) against 'b' 'c' 'c' … (sum log 0.5 over any length).
        var model = new FakeModel(Tokenizer, Tokenizer.VocabularySize, history =>
        {
            var logits = Enumerable.Repeat(-1000f, Tokenizer.VocabularySize).ToArray();
            var last = history[^1];
            if (last == CharTokenizer.Id('x')) { logits[CharTokenizer.Id('a')] = 0f; logits[CharTokenizer.Id('b')] = 0f; }
            else if (last == CharTokenizer.Id('a')) logits[1] = 0f;
            else logits[CharTokenizer.Id('c')] = 0f;
            return logits;
        });
        var generator = new Generator(model);
        // length_penalty 1: "a</s>" scores log(0.5)/2, "bccc" log(0.5)/4, which is better (less negative).
        var favourLong = generator.Generate("x", new() { MaxNewTokens = 4, NumBeams = 2, LengthPenalty = 1f, EarlyStopping = EarlyStopping.Never });
        Assert.Equal("bccc", favourLong.Text);
        Assert.Equal(FinishReason.Length, favourLong.FinishReason);
        // length_penalty 0: both score log(0.5); the finished one came first and the search stops early.
        var neutral = generator.Generate("x", new() { MaxNewTokens = 4, NumBeams = 1, LengthPenalty = 0f, EarlyStopping = EarlyStopping.True });
        Assert.Equal(FinishReason.Eos, neutral.FinishReason);
        Assert.Equal("a", neutral.Text);
    }
}
