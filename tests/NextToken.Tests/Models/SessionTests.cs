using NextToken.Models;
using NextToken.Testing;

namespace NextToken.Tests.Models;

/// <summary>Prefill, incremental decode, Truncate, Clone and the inspection options, on stories260K.</summary>
public sealed class SessionTests : IDisposable
{
    private static readonly int[] Prompt = [1, 317, 269, 274, 287, 263, 377, 267, 265, 282];
    private readonly LanguageModel _model = LanguageModel.Load(TestData.DefaultModel);

    public void Dispose() => _model.Dispose();

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"index {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void PrefillEqualsOneTokenAtATime()
    {
        using var batch = _model.CreateSession();
        var all = batch.Forward(Prompt, ForwardOptions.AllLogits);
        using var steps = _model.CreateSession();
        for (var i = 0; i < Prompt.Length; i++)
        {
            var step = steps.Forward(Prompt.AsSpan(i, 1));
            // Equal up to float32 summation order: a prompt's products add column after column per token, one
            // token's products in eight-lane partial sums (differences of a few 1e-6 on logits of a few units).
            AssertClose(all.LogitsAt(i), step.LastLogits, 5e-5f);
        }
        Assert.Equal(Prompt, steps.Tokens);
    }

    [Fact]
    public void TruncateThenRefeedGivesTheSameLogits()
    {
        using var session = _model.CreateSession();
        var first = session.Forward(Prompt).LastLogits.ToArray();
        session.Truncate(4);
        Assert.Equal(4, session.Length);
        session.Forward([99, 100]);
        session.Truncate(4);
        var again = session.Forward(Prompt.AsSpan(4));
        AssertClose(first, again.LastLogits, 1e-5f);
    }

    [Fact]
    public void CloneIsIndependent()
    {
        using var session = _model.CreateSession();
        session.Forward(Prompt.AsSpan(0, 6));
        using var copy = session.Clone();
        Assert.Equal(session.Tokens, copy.Tokens);
        var original = session.Forward(Prompt.AsSpan(6)).LastLogits.ToArray();
        copy.Forward([50]);
        copy.Truncate(6);
        var fromCopy = copy.Forward(Prompt.AsSpan(6)).LastLogits.ToArray();
        AssertClose(original, fromCopy, 1e-5f);
    }

    [Fact]
    public void HiddenStatesAndAttentionsHaveTheirShapes()
    {
        using var session = _model.CreateSession();
        session.Forward(Prompt.AsSpan(0, 3));
        var result = session.Forward(Prompt.AsSpan(3, 2), new ForwardOptions { HiddenStates = true, Attentions = true });
        var info = _model.Info;
        Assert.Equal(info.LayerCount + 1, result.HiddenStates!.Count);
        Assert.All(result.HiddenStates, h => Assert.Equal(2 * info.EmbeddingLength, h.Length));
        // Entry 0 is the input embeddings.
        Assert.Equal(_model.Embed(Prompt.AsSpan(3, 2)), result.HiddenStates[0]);
        Assert.Equal(info.LayerCount, result.Attentions!.Count);
        var total = 5;
        foreach (var layer in result.Attentions)
        {
            Assert.Equal(info.HeadCount * 2 * total, layer.Length);
            for (var head = 0; head < info.HeadCount; head++)
                for (var token = 0; token < 2; token++)
                {
                    var row = layer.AsSpan((head * 2 + token) * total, total);
                    Assert.Equal(1.0, row.ToArray().Sum(), 5);
                    for (var j = 3 + token + 1; j < total; j++) Assert.Equal(0f, row[j]); // causal: no future positions
                }
        }
        Assert.Null(session.Forward([7]).HiddenStates);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        using var session = _model.CreateSession(4);
        Assert.Throws<ArgumentException>(() => session.Forward([]));
        Assert.Throws<ArgumentException>(() => session.Forward([512]));
        Assert.Throws<ArgumentException>(() => session.Forward([1, 2, 3, 4, 5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Truncate(1));
        Assert.Throws<ArgumentException>(() => _model.Embed([-1]));
    }
}
