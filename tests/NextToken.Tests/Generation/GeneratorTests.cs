using NextToken.Generation;
using NextToken.Tests.Generation.Fakes;

namespace NextToken.Tests.Generation;

public class GeneratorTests
{
    private static readonly CharTokenizer Tokenizer = new();

    /// <summary>A model that spells "abcd" after 'a', then ends: next = letter after the last one; after 'd' comes EOS.</summary>
    private static FakeModel Alphabet(float eosLogit = 10f) => new(Tokenizer, Tokenizer.VocabularySize, history =>
    {
        var logits = new float[Tokenizer.VocabularySize];
        var last = history[^1];
        if (last == CharTokenizer.Id('d')) logits[1] = eosLogit;
        else if (last >= CharTokenizer.Id('a') && last < CharTokenizer.Id('z')) logits[last + 1] = 10f;
        else logits[CharTokenizer.Id('a')] = 10f;
        return logits;
    });

    [Fact]
    public void GreedyFollowsTheArgmaxAndStopsAtEos()
    {
        var result = new Generator(Alphabet()).Generate("!", new GenerationOptions { MaxNewTokens = 10 });
        Assert.Equal("abcd", result.Text);
        Assert.Equal(FinishReason.Eos, result.FinishReason);
        Assert.Equal([0, CharTokenizer.Id('!')], result.PromptIds);
        Assert.Equal(1, result.TokenIds[^1]);
        Assert.Equal(5, result.Tokens.Count);
    }

    [Fact]
    public void MaxNewTokensEndsWithLength()
    {
        var result = new Generator(Alphabet()).Generate("!", new GenerationOptions { MaxNewTokens = 3 });
        Assert.Equal("abc", result.Text);
        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(FinishReason.Length, result.Tokens[^1].FinishReason);
        Assert.Null(result.Tokens[0].FinishReason);
    }

    [Fact]
    public void MinNewTokensHoldsBackEos()
    {
        var result = new Generator(Alphabet()).Generate("!", new GenerationOptions { MaxNewTokens = 6, MinNewTokens = 6 });
        Assert.Equal(6, result.TokenIds.Count);
        Assert.StartsWith("abcd", result.Text);
        Assert.Equal(FinishReason.Length, result.FinishReason);
    }

    [Fact]
    public void StopStringsMatchAcrossTokensAndAreExcluded()
    {
        var result = new Generator(Alphabet()).Generate("!", new GenerationOptions { StopStrings = ["bc"] });
        Assert.Equal("a", result.Text);
        Assert.Equal(FinishReason.Stop, result.FinishReason);
        Assert.Equal(3, result.TokenIds.Count);
        // "b" was held back (it might begin "bc"), so the token 'b' released no text.
        Assert.Equal(["a", "", ""], result.Tokens.Select(t => t.Text).ToArray());
    }

    [Fact]
    public void HeldBackTextIsReleasedWhenTheStopStringDoesNotComplete()
    {
        var result = new Generator(Alphabet()).Generate("!", new GenerationOptions { StopStrings = ["bd"] });
        Assert.Equal("abcd", result.Text);
        Assert.Equal(FinishReason.Eos, result.FinishReason);
    }

    [Fact]
    public async Task StreamingGivesTheSameTokensAsGenerate()
    {
        var model = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 5);
        var options = new GenerationOptions { MaxNewTokens = 20, DoSample = true, Seed = 11, TopK = 10, EosTokenIds = [] };
        var generator = new Generator(model);
        var whole = generator.Generate("ab", options);
        var streamed = new List<GeneratedToken>();
        await foreach (var token in generator.StreamAsync("ab", options)) streamed.Add(token);
        Assert.Equal(whole.TokenIds, streamed.Select(t => t.Id).ToArray());
        Assert.Equal(whole.Text, string.Concat(streamed.Select(t => t.Text)));
        Assert.Equal(20, streamed.Count);
    }

    [Fact]
    public void SamplingWithASeedIsReproducible()
    {
        var model = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 5, scale: 1f);
        var generator = new Generator(model);
        GenerationOptions Options(ulong seed) => new() { MaxNewTokens = 30, DoSample = true, Seed = seed, Temperature = 1.5f, EosTokenIds = [] };
        Assert.Equal(generator.Generate("a", Options(1)).TokenIds, generator.Generate("a", Options(1)).TokenIds);
        Assert.NotEqual(generator.Generate("a", Options(1)).TokenIds, generator.Generate("a", Options(2)).TokenIds);
    }

    [Fact]
    public void TemperatureZeroIsGreedy()
    {
        var model = FakeModel.Random(Tokenizer, Tokenizer.VocabularySize, seed: 5);
        var generator = new Generator(model);
        var greedy = generator.Generate("a", new GenerationOptions { MaxNewTokens = 15, EosTokenIds = [] });
        var zero = generator.Generate("a", new GenerationOptions { MaxNewTokens = 15, DoSample = true, Temperature = 0, Seed = 3, EosTokenIds = [] });
        Assert.Equal(greedy.TokenIds, zero.TokenIds);
    }

    [Fact]
    public void StepDetailsAreReportedOnRequest()
    {
        var result = new Generator(Alphabet()).Generate("!", new GenerationOptions
        {
            MaxNewTokens = 2, TopAlternatives = 3, ReturnLogits = true, ReturnScores = true, SuppressTokens = [CharTokenizer.Id('b')],
        });
        var first = result.Tokens[0];
        Assert.Equal(10f, first.Logits![CharTokenizer.Id('a')]);
        Assert.Equal(3, first.Alternatives!.Count);
        Assert.Equal("a", first.Alternatives[0].Piece);
        Assert.True(first.Alternatives[0].Probability > first.Alternatives[1].Probability);
        Assert.Equal(first.Probability, first.Alternatives[0].Probability);
        // Second step: 'b' is suppressed; its raw logit is 10, its processed score −∞.
        Assert.Equal(10f, result.Tokens[1].Logits![CharTokenizer.Id('b')]);
        Assert.Equal(float.NegativeInfinity, result.Tokens[1].Scores![CharTokenizer.Id('b')]);
    }

    [Fact]
    public async Task CancellationEndsGenerateWithCancelledAndTheStreamWithAnException()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var result = new Generator(Alphabet()).Generate("!", null, source.Token);
        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.Empty(result.TokenIds);
        await Assert.ThrowsAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in new Generator(Alphabet()).StreamAsync("!", null, source.Token)) { }
        });
    }

    [Fact]
    public void BadOptionsNameTheParameter()
    {
        var generator = new Generator(Alphabet());
        string Param(GenerationOptions options) => Assert.ThrowsAny<ArgumentException>(() => generator.Generate("!", options)).ParamName!;
        Assert.Equal("temperature", Param(new() { Temperature = -0.5f }));
        Assert.Equal("top_p", Param(new() { TopP = 0f }));
        Assert.Equal("top_p", Param(new() { TopP = 1.1f }));
        Assert.Equal("top_k", Param(new() { TopK = -1 }));
        Assert.Equal("num_beams", Param(new() { NumBeams = 0 }));
        Assert.Equal("num_return_sequences", Param(new() { NumBeams = 2, NumReturnSequences = 3 }));
        Assert.Equal("repetition_penalty", Param(new() { RepetitionPenalty = 0f }));
        Assert.Equal("repetition_penalty", Param(new() { RepetitionPenalty = -1f }));
        Assert.Equal("max_new_tokens", Param(new() { MaxNewTokens = -1 }));
        var noBos = new Generator(new FakeModel(new CharTokenizer(addsBos: false), Tokenizer.VocabularySize, _ => new float[Tokenizer.VocabularySize]));
        Assert.Equal("prompt", Assert.Throws<ArgumentException>(() => noBos.Generate("")).ParamName);
    }

    [Fact]
    public void PenaltiesChangeTheGreedyPath()
    {
        // Without penalties the alphabet model never repeats anyway; a model that always prefers 'a' repeats it.
        var repetitive = new FakeModel(Tokenizer, Tokenizer.VocabularySize, _ =>
        {
            var logits = new float[Tokenizer.VocabularySize];
            logits[CharTokenizer.Id('a')] = 3f;
            logits[CharTokenizer.Id('b')] = 2f;
            return logits;
        });
        var generator = new Generator(repetitive);
        Assert.Equal("aaaa", generator.Generate("x", new() { MaxNewTokens = 4 }).Text);
        // Penalised 'a' scores 3/2 = 1.5: below 'b' (2) once, above the penalised 'b' (1) after that.
        Assert.Equal("abaa", generator.Generate("x", new() { MaxNewTokens = 4, RepetitionPenalty = 2f }).Text);
        // Every seen token banned; among the equal zeros the lowest unseen id wins: ' ' (EOS is suppressed), then 'c'.
        Assert.Equal("ab c", generator.Generate("x", new() { MaxNewTokens = 4, NoRepeatNgramSize = 1, SuppressTokens = [1] }).Text);
    }
}
