using System.Diagnostics;
using NextToken.Numerics;
using NextToken.Numerics.Quantization;

namespace NextToken.Benchmarks.Kernels;

/// <summary>
/// Throughput of one weight matrix product, for kernel work between whole-model benches:
/// <c>matmul TYPE ROWS COLUMNS TOKENS [THREADS] [exact|int8]</c>. Prints GFLOP/s and the weight bytes read per second.
/// </summary>
public static class MatMulThroughput
{
    public static void Run(string[] args)
    {
        if (args.Length < 5) throw new ArgumentException("usage: matmul TYPE ROWS COLUMNS TOKENS [THREADS] [exact|int8]");
        var type = Enum.Parse<TensorType>(args[1], ignoreCase: true);
        var rows = int.Parse(args[2]);
        var columns = int.Parse(args[3]);
        var tokens = int.Parse(args[4]);
        var threads = args.Length > 5 ? int.Parse(args[5]) : Environment.ProcessorCount;
        var int8 = args.Length > 6 && args[6] == "int8";

        var random = new Random(1);
        var values = new float[(long)rows * columns];
        for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * 0.05f;
        var matrix = type == TensorType.F32
            ? WeightMatrix.FromFloats(values, rows, columns)
            : WeightMatrix.FromBytes(type, Quantizer.Quantize(type, values, columns), rows, columns);
        var x = new float[tokens * columns];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        var y = new float[tokens * rows];
        using var pool = new ComputePool(threads) { QuantizeActivations = int8 };

        // Warm up for a second so the tiered JIT has replaced the first code with optimised code.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < 1) matrix.MatMul(x, y, tokens, pool);
        var seconds = new List<double>();
        var deadline = Stopwatch.StartNew();
        while (seconds.Count < 5 || (deadline.Elapsed.TotalSeconds < 3 && seconds.Count < 200))
        {
            var watch = Stopwatch.StartNew();
            matrix.MatMul(x, y, tokens, pool);
            seconds.Add(watch.Elapsed.TotalSeconds);
        }
        seconds.Sort();
        var best = seconds[seconds.Count / 2];
        var flops = 2.0 * rows * columns * tokens;
        Console.WriteLine($"{type} {rows}x{columns} × {tokens} tokens, {threads} threads, {(int8 ? "int8" : "exact")}: " +
            $"{best * 1e3:F3} ms median of {seconds.Count}, {flops / best / 1e9:F1} GFLOP/s, {matrix.ByteLength / best / 1e9:F1} GB/s of weights");
    }
}
