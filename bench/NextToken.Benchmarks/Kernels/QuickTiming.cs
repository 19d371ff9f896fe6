using System.Diagnostics;
using NextToken.Numerics;
using NextToken.Numerics.Quantization;

namespace NextToken.Benchmarks.Kernels;

/// <summary>
/// A seconds-long timing of the kernel products without BenchmarkDotNet's statistics, for a quick look on a busy
/// machine. Call <see cref="Run"/> from any program (it prints GB/s of weights for MatVec and GFLOP/s for a
/// 128-token MatMul); <see cref="KernelBenchmarks"/> is the careful measurement.
/// </summary>
public static class QuickTiming
{
    public static void Run(int threads, IEnumerable<TensorType> types, bool quantizeActivations = true)
    {
        using var pool = new ComputePool(threads) { QuantizeActivations = quantizeActivations };
        foreach (var type in types)
            foreach (var (columns, rows) in new[] { (2048, 5632), (5632, 2048) })
            {
                var random = new Random(1);
                var values = new float[rows * columns];
                for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * 0.05f;
                var matrix = WeightMatrix.FromBytes(type, Quantizer.Quantize(type, values, columns), rows, columns);
                const int tokens = 128;
                var x = new float[tokens * columns];
                for (var i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
                var y = new float[tokens * rows];
                var vec = Best(() => matrix.MatVec(x.AsSpan(0, columns), y, pool), 30);
                var mat = Best(() => matrix.MatMul(x, y, tokens, pool), 3);
                Console.WriteLine($"{type,-5} {columns}x{rows} threads={threads}: MatVec {vec * 1e6,8:F1} µs = {matrix.ByteLength / vec / 1e9,6:F1} GB/s; " +
                                  $"MatMul(128) {mat * 1e3,8:F2} ms = {2.0 * rows * columns * tokens / mat / 1e9,6:F1} GFLOP/s");
            }
    }

    private static double Best(Action action, int repeats)
    {
        action();
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }
}
