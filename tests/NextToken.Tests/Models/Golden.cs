using System.Text.Json;
using NextToken.Models;
using NextToken.Testing;

namespace NextToken.Tests.Models;

/// <summary>A reference forward pass: token ids, logits at every position, and optionally a greedy continuation.</summary>
internal sealed record GoldenCase(string Prompt, int[] Tokens, float[][] Logits, int[] Greedy)
{
    public static IReadOnlyList<GoldenCase> Read(string relative) => TestData.JsonLines(relative).Select(e => new GoldenCase(
        e.GetProperty("prompt").GetString()!,
        e.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray(),
        e.GetProperty("logits").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray(),
        e.TryGetProperty("greedy", out var g) ? g.EnumerateArray().Select(t => t.GetInt32()).ToArray() : [])).ToList();
}

internal static class Golden
{
    /// <summary>Feeds the prompt in one prefill and checks the logits of every position against the reference.</summary>
    public static void AssertLogits(LanguageModel model, GoldenCase golden, float tolerance)
    {
        using var session = model.CreateSession();
        var result = session.Forward(golden.Tokens, ForwardOptions.AllLogits);
        Assert.Equal(golden.Tokens.Length, result.Rows);
        for (var row = 0; row < golden.Tokens.Length; row++)
        {
            var expected = golden.Logits[row];
            var actual = result.LogitsAt(row);
            Assert.Equal(expected.Length, actual.Length);
            var worst = 0f;
            var worstIndex = 0;
            for (var i = 0; i < expected.Length; i++)
            {
                var diff = Math.Abs(expected[i] - actual[i]);
                if (diff > worst) (worst, worstIndex) = (diff, i);
            }
            Assert.True(worst <= tolerance, $"'{golden.Prompt}' position {row}: logit {worstIndex} differs by {worst} (expected {expected[worstIndex]}, got {actual[worstIndex]})");
        }
    }

    /// <summary>Greedy decoding from the prompt, one token at a time through the KV cache.</summary>
    public static int[] Greedy(LanguageModel model, int[] prompt, int count)
    {
        using var session = model.CreateSession();
        var result = session.Forward(prompt);
        var generated = new int[count];
        for (var i = 0; i < count; i++)
        {
            generated[i] = ArgMax(result.LastLogits);
            if (i + 1 < count) result = session.Forward([generated[i]]);
        }
        return generated;
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
