namespace NextToken.Numerics;

/// <summary>
/// The threads a model computes with. Kernels split their rows over <see cref="ThreadCount"/> workers.
/// One pool per loaded model; calls into it are serialised.
/// </summary>
public sealed class ComputePool : IDisposable
{
    /// <summary>Creates a pool; <paramref name="threadCount"/> 0 means one per core.</summary>
    public ComputePool(int threadCount = 0)
    {
        if (threadCount < 0) throw new ArgumentOutOfRangeException(nameof(threadCount), threadCount, "threads must be 0 (one per core) or more");
        ThreadCount = threadCount == 0 ? Environment.ProcessorCount : threadCount;
    }

    /// <summary>Number of workers.</summary>
    public int ThreadCount { get; }

    /// <summary>A single-threaded pool.</summary>
    public static ComputePool Single { get; } = new(1);

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) split into one contiguous range per worker.</summary>
    public void For(int count, Action<int, int> body)
    {
        if (count <= 0) return;
        var workers = Math.Min(ThreadCount, count);
        if (workers == 1) { body(0, count); return; }
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var start = (int)((long)count * w / workers);
            var end = (int)((long)count * (w + 1) / workers);
            body(start, end);
        });
    }

    public void Dispose() { }
}
