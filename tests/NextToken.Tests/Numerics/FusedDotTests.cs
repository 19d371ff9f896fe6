using NextToken.Numerics;
using NextToken.Numerics.Kernels;
using NextToken.Numerics.Quantization;

namespace NextToken.Tests.Numerics;

/// <summary>Every fused dequantize-and-dot kernel against dequantizing the row and taking a plain dot product.</summary>
public unsafe class FusedDotTests
{
    public static TheoryData<TensorType> FusedTypes() =>
        new(TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_1, TensorType.Q5_0, TensorType.Q5_1,
            TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K);

    [Theory]
    [MemberData(nameof(FusedTypes))]
    public void Fused_dot_matches_dequantize_then_dot_over_1_to_20_blocks(TensorType type)
    {
        var random = new Random(311 + (int)type);
        var blockSize = WeightMatrix.BlockSize(type);
        for (var blocks = 1; blocks <= 20; blocks++)
        {
            var n = blocks * blockSize;
            var w = BlockTestData.RandomBlocks(type, blocks, random);
            var x = BlockTestData.RandomFloats(n, random, scale: 3);
            var row = new float[n];
            fixed (byte* pw = w)
            fixed (float* px = x)
            fixed (float* pr = row)
            {
                for (var b = 0; b < blocks; b++)
                    BlockTestData.Dequantize(type, pw + b * WeightMatrix.BlockBytes(type), pr + b * blockSize);
                double expected = 0, magnitude = 0;
                for (var i = 0; i < n; i++)
                {
                    expected += (double)row[i] * x[i];
                    magnitude += Math.Abs((double)row[i] * x[i]);
                }
                var fused = Fused(type, pw, px, n);
                Assert.True(Math.Abs(fused - expected) <= 1e-5 * magnitude + 1e-6, $"{type} × {blocks}: fused {fused}, expected {expected}");
            }
        }
    }

    [Fact]
    public void Activation_sums_add_each_run_of_32()
    {
        var x = new float[96];
        for (var i = 0; i < x.Length; i++) x[i] = i;
        var sums = new float[3];
        fixed (float* px = x)
        fixed (float* ps = sums)
            FusedDot.ActivationSums(px, x.Length, ps);
        Assert.Equal([496f, 1520f, 2544f], sums);
    }

    private static float Fused(TensorType type, byte* w, float* x, int columns) => type switch
    {
        TensorType.Q8_0 => Fused<BlockQ8_0>(w, x, columns),
        TensorType.Q4_0 => Fused<BlockQ4_0>(w, x, columns),
        TensorType.Q4_1 => Fused<BlockQ4_1>(w, x, columns),
        TensorType.Q5_0 => Fused<BlockQ5_0>(w, x, columns),
        TensorType.Q5_1 => Fused<BlockQ5_1>(w, x, columns),
        TensorType.Q4_K => Fused<BlockQ4_K>(w, x, columns),
        TensorType.Q5_K => Fused<BlockQ5_K>(w, x, columns),
        TensorType.Q6_K => Fused<BlockQ6_K>(w, x, columns),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static float Fused<TBlock>(byte* w, float* x, int columns) where TBlock : IQuantizedBlock
    {
        Assert.True(FusedDot.Supports<TBlock>(), $"{TBlock.Type} has no fused kernel on this machine");
        var sums = new float[columns / FusedDot.SumBlock];
        fixed (float* ps = sums)
        {
            if (FusedDot.NeedsSums<TBlock>()) FusedDot.ActivationSums(x, columns, ps);
            return FusedDot.Row<TBlock>(w, x, ps, columns / TBlock.BlockElements);
        }
    }
}
