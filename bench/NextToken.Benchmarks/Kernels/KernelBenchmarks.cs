using BenchmarkDotNet.Attributes;
using NextToken.Numerics;
using NextToken.Numerics.Quantization;

namespace NextToken.Benchmarks.Kernels;

/// <summary>
/// Matrix-vector (decode) and matrix-matrix (prefill, 128 tokens) products with TinyLlama-1.1B's shapes: the
/// 2048 → 5632 FFN up/gate projection and the 5632 → 2048 down projection. Report bytes of weights per second
/// for MatVec (decode is memory-bound) and GFLOP/s (2·rows·columns·tokens per call) for MatMul.
/// Run: <c>dotnet run -c Release --project bench/NextToken.Benchmarks -- --filter '*KernelBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks : IDisposable
{
    private WeightMatrix _matrix = null!;
    private float[] _x = null!;
    private float[] _y = null!;
    private ComputePool _pool = null!;

    [Params(TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.Q8_0, TensorType.Q4_0, TensorType.Q4_K, TensorType.Q6_K)]
    public TensorType Type { get; set; }

    [Params("2048x5632", "5632x2048")]
    public string Shape { get; set; } = "";

    /// <summary>Worker threads (the target machine has 2 cores).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>llama.cpp arithmetic (8-bit activations) or exact float32.</summary>
    [Params(true)]
    public bool QuantizeActivations { get; set; }

    private const int Tokens = 128;

    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split('x');
        var columns = int.Parse(parts[0]);
        var rows = int.Parse(parts[1]);
        var random = new Random(42);
        var values = new float[rows * columns];
        for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * 0.05f;
        _matrix = WeightMatrix.FromBytes(Type, Quantizer.Quantize(Type, values, columns), rows, columns);
        _x = new float[Tokens * columns];
        for (var i = 0; i < _x.Length; i++) _x[i] = (float)(random.NextDouble() * 2 - 1);
        _y = new float[Tokens * rows];
        _pool = new ComputePool(Threads) { QuantizeActivations = QuantizeActivations };
    }

    /// <summary>One decode-step product: the whole matrix is read once.</summary>
    [Benchmark]
    public void MatVec() => _matrix.MatVec(_x.AsSpan(0, _matrix.Columns), _y, _pool);

    /// <summary>A 128-token prefill product.</summary>
    [Benchmark]
    public void MatMul128() => _matrix.MatMul(_x, _y, Tokens, _pool);

    [GlobalCleanup]
    public void Dispose()
    {
        _pool?.Dispose();
        GC.SuppressFinalize(this);
    }
}
