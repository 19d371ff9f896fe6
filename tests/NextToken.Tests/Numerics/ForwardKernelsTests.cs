using NextToken.Numerics;

namespace NextToken.Tests.Numerics;

/// <summary>Each vectorised forward kernel against its scalar twin over every length 0..300, plus hand-checked values.</summary>
public sealed class ForwardKernelsTests
{
    private static float[] Random(Random random, int length, float scale = 3f) =>
        Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"index {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void VectorKernelsMatchTheirScalarTwins()
    {
        var random = new Random(1234);
        for (var n = 0; n <= 300; n++)
        {
            var x = Random(random, n);
            var w = Random(random, n);
            var b = Random(random, n);
            float[] fast = new float[n], slow = new float[n];
            Normalization.RmsNorm(x, w, 1e-5f, fast);
            Normalization.RmsNormScalar(x, w, 1e-5f, slow);
            AssertClose(slow, fast, 1e-5f);
            Normalization.LayerNorm(x, w, b, 1e-5f, fast);
            Normalization.LayerNormScalar(x, w, b, 1e-5f, slow);
            AssertClose(slow, fast, 1e-5f);
            Activations.Silu(x, fast);
            Activations.SiluScalar(x, slow);
            AssertClose(slow, fast, 1e-5f);
            Activations.SwiGlu(x, w, fast);
            Activations.SwiGluScalar(x, w, slow);
            AssertClose(slow, fast, 1e-5f);
            Activations.GeluTanh(x, fast);
            Activations.GeluTanhScalar(x, slow);
            AssertClose(slow, fast, 1e-5f);
            x.CopyTo(fast, 0);
            x.CopyTo(slow, 0);
            Activations.Softmax(fast);
            Activations.SoftmaxScalar(slow);
            AssertClose(slow, fast, 1e-5f);
            if (n % 2 == 0 && n > 0)
            {
                var cos = Random(random, n / 2, 1);
                var sin = Random(random, n / 2, 1);
                x.CopyTo(fast, 0);
                x.CopyTo(slow, 0);
                Rope.ApplyHalf(fast, cos, sin);
                Rope.ApplyHalfScalar(slow, cos, sin);
                AssertClose(slow, fast, 1e-5f);
            }
        }
    }

    [Fact]
    public void ActivationsWorkInPlace()
    {
        var x = new[] { -2f, -0.5f, 0f, 1f, 3f };
        var expected = new float[5];
        Activations.GeluTanhScalar(x, expected);
        var inPlace = (float[])x.Clone();
        Activations.GeluTanh(inPlace, inPlace);
        AssertClose(expected, inPlace, 1e-6f);
        Activations.SiluScalar(x, expected);
        inPlace = (float[])x.Clone();
        Activations.Silu(inPlace, inPlace);
        AssertClose(expected, inPlace, 1e-6f);
    }

    [Fact]
    public void HandCheckedValues()
    {
        var rms = new float[2];
        Normalization.RmsNorm([3f, 4f], [1f, 2f], 0f, rms); // rms = √12.5
        AssertClose([3f / MathF.Sqrt(12.5f), 8f / MathF.Sqrt(12.5f)], rms, 1e-6f);
        var ln = new float[2];
        Normalization.LayerNorm([1f, 3f], [1f, 1f], [0f, 10f], 0f, ln); // mean 2, variance 1
        AssertClose([-1f, 11f], ln, 1e-6f);
        var p = new[] { 0f, MathF.Log(3f) };
        Activations.Softmax(p);
        AssertClose([0.25f, 0.75f], p, 1e-6f);
        // A quarter turn of the pair (1, 0) gives (0, 1) in both conventions.
        var head = new[] { 1f, 0f };
        Rope.ApplyInterleaved(head, [0f], [1f]);
        AssertClose([0f, 1f], head, 1e-7f);
        var rotary = new RotaryEmbedding(4, 10000, RopeStyle.Half);
        Assert.Equal([1.0, 0.01], rotary.InverseFrequencies);
    }

    [Fact]
    public void Llama3ScalingLeavesHighFrequenciesAndDividesLowOnes()
    {
        var scaling = new RopeScaling("llama3", 8, 1, 4, 8192);
        var plain = new RotaryEmbedding(128, 500000, RopeStyle.Half);
        var scaled = new RotaryEmbedding(128, 500000, RopeStyle.Half, scaling);
        Assert.Equal(plain.InverseFrequencies[0], scaled.InverseFrequencies[0]);
        Assert.Equal(plain.InverseFrequencies[63] / 8, scaled.InverseFrequencies[63], 12);
        var linear = new RotaryEmbedding(8, 10000, RopeStyle.Interleaved, new RopeScaling("linear", 2));
        Assert.Equal(0.5, linear.InverseFrequencies[0]);
    }

    [Fact]
    public void AttentionHeadMatchesItsTwinAndWeightsValues()
    {
        var random = new Random(7);
        const int headSize = 16, stride = 48, positions = 37;
        var keys = Random(random, positions * stride);
        var values = Random(random, positions * stride);
        var query = Random(random, headSize);
        float[] pFast = new float[positions], pSlow = new float[positions], oFast = new float[headSize], oSlow = new float[headSize];
        Attention.Head(query, keys, values, stride, 16, 5, 30, 0.25f, pFast, oFast);
        Attention.HeadScalar(query, keys, values, stride, 16, 5, 30, 0.25f, pSlow, oSlow);
        AssertClose(pSlow, pFast, 1e-5f);
        AssertClose(oSlow, oFast, 1e-5f);
        // One position: all weight on it, output is its value.
        Attention.Head(query, keys, values, stride, 0, 3, 1, 1f, pFast, oFast);
        Assert.Equal(1f, pFast[0]);
        AssertClose(values.AsSpan(3 * stride, headSize), oFast, 0);
        Assert.Throws<ArgumentException>(() => Attention.Head(query, keys, values, stride, 0, 30, 10, 1f, pFast, oFast));
    }
}
