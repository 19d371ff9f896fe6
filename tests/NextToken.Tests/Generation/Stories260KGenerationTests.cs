using NextToken.Generation;
using NextToken.Models;
using NextToken.Scoring;
using NextToken.Testing;
using NextToken.Tokenizers;

namespace NextToken.Tests.Generation;

/// <summary>Generation and scoring on the real stories260K model, checked against llama.cpp and llama2.c.</summary>
public sealed class Stories260KGenerationTests : IClassFixture<Stories260KGenerationTests.ModelFixture>
{
    public sealed class ModelFixture : IDisposable
    {
        public LanguageModel Model { get; } = LanguageModel.Load(TestData.DefaultModel);

        public void Dispose() => Model.Dispose();
    }

    private readonly LanguageModel _model;

    public Stories260KGenerationTests(ModelFixture fixture) => _model = fixture.Model;

    [Fact]
    public void GreedyReproducesLlamaCppsContinuations()
    {
        var generator = new Generator(_model);
        foreach (var line in TestData.JsonLines("golden/stories260K/llamacpp-logits.jsonl"))
        {
            var prompt = line.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
            var expected = line.GetProperty("greedy").EnumerateArray().Select(t => t.GetInt32()).ToArray();
            var result = generator.Generate(prompt, new GenerationOptions { MaxNewTokens = expected.Length });
            Assert.Equal(expected, result.TokenIds);
            Assert.Equal(FinishReason.Length, result.FinishReason);
            // The text prompt encodes to the same ids llama.cpp fed.
            Assert.Equal(prompt, generator.Generate(line.GetProperty("prompt").GetString()!, new GenerationOptions { MaxNewTokens = 0 }).PromptIds);
        }
    }

    [Fact]
    public void GreedyTextMatchesLlama2c()
    {
        // llama2.c's "-n 64 -i Zoo": 64 positions, 4 of them the prompt with BOS.
        var text = File.ReadAllText(TestData.Path("golden/stories260K/llama2c-run-greedy.txt"));
        var block = text.Split("### ").Single(b => b.StartsWith("./run stories260K.bin -z tok512.bin -t 0 -n 64 -i Zoo\n", StringComparison.Ordinal));
        var expected = block.Split('\n', 2)[1].Trim();
        var result = new Generator(_model).Generate("Zoo", new GenerationOptions { MaxNewTokens = 60 });
        Assert.StartsWith(expected, "Zoo" + result.Text);
    }

    [Fact]
    public async Task StreamedPiecesConcatenateToTheDecodedText()
    {
        var options = new GenerationOptions { MaxNewTokens = 40, DoSample = true, Temperature = 0.9f, TopP = 0.9f, Seed = 1 };
        var pieces = new List<string>();
        var ids = new List<int>();
        await foreach (var token in new Generator(_model).StreamAsync("Once upon a time", options))
        {
            pieces.Add(token.Text);
            ids.Add(token.Id);
        }
        var prompt = _model.Tokenizer.Encode("Once upon a time", addSpecialTokens: true);
        var whole = _model.Tokenizer.Decode([.. prompt, .. ids], skipSpecialTokens: true);
        Assert.Equal(whole, _model.Tokenizer.Decode(prompt, skipSpecialTokens: true) + string.Concat(pieces));
    }

    [Fact]
    public void SpeculativeDecodingWithItselfAsDraftEqualsGreedy()
    {
        var options = new GenerationOptions { MaxNewTokens = 60 };
        var plain = new Generator(_model).Generate("Once upon a time", options);
        var speculative = new SpeculativeDecoder(_model, _model, 4).Generate("Once upon a time", options);
        Assert.Equal(plain.TokenIds, speculative.TokenIds);
        Assert.Equal(1.0, speculative.Speculation!.AcceptanceRate, 1e-9);
    }

    [Fact]
    public void OneBeamEqualsGreedyAndMoreBeamsScoreAtLeastAsWell()
    {
        var generator = new Generator(_model);
        var greedy = generator.Generate("Lily and Tom", new GenerationOptions { MaxNewTokens = 20 });
        Assert.Equal(greedy.TokenIds, generator.Generate("Lily and Tom", new GenerationOptions { MaxNewTokens = 20, NumBeams = 1 }).TokenIds);
        var beams = generator.Generate("Lily and Tom", new GenerationOptions { MaxNewTokens = 20, NumBeams = 4, NumReturnSequences = 4, EosTokenIds = [] });
        Assert.Equal(4, beams.Sequences.Count);
        var greedyMean = greedy.Sequences[0].Score / greedy.TokenIds.Count;
        Assert.True(beams.Sequences[0].Score >= greedyMean - 1e-6, $"beam {beams.Sequences[0].Score} < greedy {greedyMean}");
        Assert.True(beams.Sequences.Zip(beams.Sequences.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public void ProductOfTwoCopiesEqualsHalfTemperature()
    {
        var plain = new Generator(_model).Generate("Once upon a time", new GenerationOptions { MaxNewTokens = 20, DoSample = true, Temperature = 0.5f, Seed = 3 });
        var poe = new ProductOfExperts([new Expert(_model, "Once upon a time"), new Expert(_model, "Once upon a time")])
            .Generate(new GenerationOptions { MaxNewTokens = 20, DoSample = true, Seed = 3 });
        Assert.Equal(plain.TokenIds, poe.TokenIds);
        for (var i = 0; i < plain.Tokens.Count; i++) Assert.Equal(plain.Tokens[i].Probability, poe.Tokens[i].Probability, 1e-4f);
    }

    [Fact]
    public void ContrastiveSearchRuns()
    {
        var result = new Generator(_model).Generate("Once upon a time", new GenerationOptions { MaxNewTokens = 20, PenaltyAlpha = 0.6f, TopK = 4 });
        Assert.Equal(20, result.TokenIds.Count);
        Assert.All(result.Tokens, t => Assert.True(t.Probability > 0));
    }

    [Theory]
    [InlineData("The capital of France is", "Paris.")]
    [InlineData("Once upon a time", "there was a little girl.")]
    [InlineData("Lily and Tom went to the park.", "They saw a big dog.")]
    public void ConditionalNllIsTheDifferenceOfNlls(string context, string continuation)
    {
        var scorer = new Scorer(_model);
        var identity = scorer.Nll(context + " " + continuation) - scorer.Nll(context);
        Assert.Equal(identity, scorer.ConditionalNll(context, continuation), 1e-4);
        Assert.False(scorer.SplitContinuation(context, continuation).ContextMerged);
    }

    [Fact]
    public void ScoringMatchesLlamaCppsLogitsAndBatchingChangesNothing()
    {
        var scorer = new Scorer(_model);
        var line = TestData.JsonLines("golden/stories260K/llamacpp-logits.jsonl").First();
        var ids = line.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
        var rows = line.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        double expected = 0;
        for (var i = 1; i < ids.Length; i++) expected -= Scorer.LogProbability(rows[i - 1], ids[i]);
        Assert.Equal(expected, scorer.Nll(line.GetProperty("prompt").GetString()!), 1e-3);
        string[] texts = ["Once upon a time", "Zoo", "Lily and Tom went to the park.", ""];
        Assert.Equal(texts.Select(t => scorer.Nll(t)).ToArray(), scorer.Nll(texts));
    }

    [Fact]
    public void SlidingWindowPerplexityCoversEveryToken()
    {
        var scorer = new Scorer(_model);
        const string text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball.";
        var ids = scorer.EncodeForScoring(text);
        var whole = scorer.Perplexity(text);
        Assert.Equal(ids.Length - 1, whole.ScoredTokens);
        Assert.Equal(Math.Exp(scorer.Nll(text) / (ids.Length - 1)), whole.Perplexity, 1e-6);
        var windowed = scorer.Perplexity(text, maxLength: 16, stride: 8);
        Assert.Equal(ids.Length - 1, windowed.ScoredTokens);
        Assert.True(windowed.Perplexity > whole.Perplexity * 0.8 && windowed.Perplexity < whole.Perplexity * 2);
    }
}
