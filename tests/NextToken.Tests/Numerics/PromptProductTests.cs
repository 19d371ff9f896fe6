using NextToken.Numerics;
using NextToken.Numerics.Quantization;

namespace NextToken.Tests.Numerics;

/// <summary>
/// A prompt's matrix product (n tokens at once, the tiled path) must give what n single-token products give, in
/// both arithmetic modes: prefill and decode are the same computation, only batched.
/// </summary>
public class PromptProductTests
{
    public static TheoryData<TensorType, bool> Cases()
    {
        var data = new TheoryData<TensorType, bool>();
        foreach (var type in new[] { TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_1, TensorType.Q5_0,
                     TensorType.Q5_1, TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K })
        {
            data.Add(type, true);
            data.Add(type, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Batched_tokens_equal_one_token_at_a_time(TensorType type, bool quantizeActivations)
    {
        foreach (var (rows, columns) in new[] { (37, 512), (512, 256), (70, 768) })
            Check(type, quantizeActivations, rows, columns);
    }

    private static void Check(TensorType type, bool quantizeActivations, int rows, int columns)
    {
        var random = new Random(1234);
        var weights = new float[rows * columns];
        for (var i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() * 2 - 1);
        var matrix = WeightMatrix.FromBytes(type, Quantizer.Quantize(type, weights, columns), rows, columns);
        foreach (var threads in new[] { 1, 2 })
        {
        using var pool = new ComputePool(threads) { QuantizeActivations = quantizeActivations };
        foreach (var n in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 13 })
        {
            var x = new float[n * columns];
            for (var i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 4 - 2);
            var batched = new float[n * rows];
            matrix.MatMul(x, batched, n, pool);
            for (var t = 0; t < n; t++)
            {
                var single = new float[rows];
                matrix.MatVec(x.AsSpan(t * columns, columns), single, pool);
                for (var r = 0; r < rows; r++)
                    Assert.True(Math.Abs(single[r] - batched[t * rows + r]) <= 1e-3f,
                        $"{type} {rows}x{columns} threads={threads} n={n} token {t} row {r}: one at a time {single[r]}, batched {batched[t * rows + r]}");
            }
        }
        }
    }
}
