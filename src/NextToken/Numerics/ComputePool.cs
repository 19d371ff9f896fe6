using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NextToken.Numerics;

// Performance notes. A decode step of a 1B model makes ~150 matrix-vector products of 50–500 µs each, so the
// dispatch cost matters. Parallel.For costs several µs per call and allocates; a pool of long-lived workers that
// spin briefly on a generation counter before blocking answers in well under a µs while a forward pass runs, and
// sleeps (costing nothing) between requests. The calling thread does the first share itself, so a pool of N
// threads starts N − 1 workers. The workers hold only an inner state object, so an undisposed pool is still
// collected and its finalizer stops the threads.

/// <summary>
/// The threads a model computes with. Kernels split their rows over <see cref="ThreadCount"/> workers (the calling
/// thread is one of them). One pool per loaded model; calls into it are serialised. The pool also chooses the
/// arithmetic of quantized matrix products (<see cref="QuantizeActivations"/>).
/// </summary>
/// <example><code>
/// using var pool = new ComputePool(2) { QuantizeActivations = false };   // exact float arithmetic
/// weights.MatVec(x, y, pool);
/// </code></example>
public sealed class ComputePool : IDisposable
{
    private readonly Workers? _workers;

    // The kernels are compiled fully optimised at their first call (AggressiveOptimization: with two busy compute
    // threads on two cores the JIT's background tier-up barely ran, and the 260K-parameter model decoded at ~450
    // instead of ~3000 tokens/s). Such code reads a static readonly field as a constant only if its class was already
    // initialised, else it checks initialisation inside the loop; the half→float table is therefore initialised here,
    // before any product can run.
    static ComputePool() => RuntimeHelpers.RunClassConstructor(typeof(Quantization.HalfConversion).TypeHandle);

    /// <summary>Creates a pool; <paramref name="threadCount"/> 0 means one per core.</summary>
    public ComputePool(int threadCount = 0)
    {
        if (threadCount < 0) throw new ArgumentOutOfRangeException(nameof(threadCount), threadCount, "threads must be 0 (one per core) or more");
        ThreadCount = threadCount == 0 ? Environment.ProcessorCount : threadCount;
        if (ThreadCount > 1) _workers = new Workers(ThreadCount);
    }

    ~ComputePool() => _workers?.Stop(join: false);

    /// <summary>Number of workers, the calling thread included.</summary>
    public int ThreadCount { get; }

    /// <summary>
    /// How matrix products with quantized weights compute. False (the default) is exact: weights are dequantized to
    /// float32 and multiplied with the float32 activations, so a prompt computes the same numbers whether its tokens
    /// come one by one or together, and results follow a float32 reference. True is llama.cpp's arithmetic: each
    /// activation row is quantized to 8-bit blocks (Q8_0 for Q4_0/Q5_0/Q8_0 weights, Q8_1 for Q4_1/Q5_1, Q8_K for the
    /// K-quants; rounded to F16/BF16 for F16/BF16 weights) and the products are summed in integers.
    /// </summary>
    public bool QuantizeActivations { get; init; }

    /// <summary>A single-threaded pool (exact arithmetic).</summary>
    public static ComputePool Single { get; } = new(1);

    private static readonly ComputePool s_singleQuantizing = new(1) { QuantizeActivations = true };

    /// <summary>
    /// Below this many multiply-adds a product runs on the calling thread: waking the workers costs more than the
    /// work (the 260K-parameter model, exact decode: 2 threads 533 → 637 tokens/s, 1 thread 601 → 657; its largest product is 32K).
    /// </summary>
    internal const long InlineWork = 64 * 1024;

    /// <summary>A single-threaded pool with this pool's arithmetic, for work too small to split.</summary>
    internal ComputePool Inline => ThreadCount == 1 ? this : QuantizeActivations ? s_singleQuantizing : Single;

    /// <summary>This pool, or <see cref="Inline"/> when <paramref name="work"/> (multiply-adds) is below <see cref="InlineWork"/>.</summary>
    internal ComputePool ForWork(long work) => work < InlineWork ? Inline : this;

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) over [0, count) split into one contiguous range per worker, and
    /// returns when every range is done. An exception thrown by any range is rethrown here. Called from inside a
    /// body, it runs the whole range on the calling thread.
    /// </summary>
    public void For(int count, Action<int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (count <= 0) return;
        var workers = Math.Min(ThreadCount, count);
        if (workers == 1 || _workers is null || Workers.InsideBody)
        {
            body(0, count);
            return;
        }
        ObjectDisposedException.ThrowIf(_workers.Stopped, this);
        _workers.Run(count, workers, body);
    }

    /// <summary>Stops the worker threads. The pool cannot run work afterwards.</summary>
    public void Dispose()
    {
        _workers?.Stop(join: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The worker threads and the state they share with the dispatching thread.</summary>
    private sealed class Workers
    {
        [ThreadStatic] private static bool t_insideBody;
        private static readonly long SpinTicks = Stopwatch.Frequency / 10_000; // spin 100 µs before sleeping

        private readonly object _callLock = new();
        private readonly object _sleepLock = new();
        private readonly Thread[] _threads;
        private Action<int, int>? _body;
        private int _count;
        private int _activeWorkers;
        private int _generation;
        private int _pending;
        private int _sleepers;
        private volatile bool _stopped;
        private ExceptionDispatchInfo? _error;

        public Workers(int threadCount)
        {
            _threads = new Thread[threadCount - 1];
            for (var i = 0; i < _threads.Length; i++)
            {
                var index = i + 1;
                _threads[i] = new Thread(() => Loop(index), 1 << 20) { IsBackground = true, Name = $"NextToken compute {index}" };
                _threads[i].Start();
            }
        }

        public static bool InsideBody => t_insideBody;
        public bool Stopped => _stopped;

        public void Run(int count, int activeWorkers, Action<int, int> body)
        {
            lock (_callLock)
            {
                _body = body;
                _count = count;
                _activeWorkers = activeWorkers;
                _error = null;
                Volatile.Write(ref _pending, _threads.Length);
                Interlocked.Increment(ref _generation);
                if (Volatile.Read(ref _sleepers) > 0)
                    lock (_sleepLock) Monitor.PulseAll(_sleepLock);
                Execute(0);
                var spinner = new SpinWait();
                while (Volatile.Read(ref _pending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
                _body = null;
                _error?.Throw();
            }
        }

        private void Execute(int index)
        {
            if (index >= _activeWorkers) return;
            var start = (int)((long)_count * index / _activeWorkers);
            var end = (int)((long)_count * (index + 1) / _activeWorkers);
            t_insideBody = true;
            try
            {
                _body!(start, end);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
            }
            finally
            {
                t_insideBody = false;
            }
        }

        private void Loop(int index)
        {
            var seen = 0;
            while (true)
            {
                var spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
                var spinner = new SpinWait();
                while (Volatile.Read(ref _generation) == seen && !_stopped)
                {
                    if (Stopwatch.GetTimestamp() < spinUntil)
                    {
                        // SpinOnce yields the core now and then, so other threads (the JIT's tier-up compiler
                        // among them) still run while workers wait between products.
                        spinner.SpinOnce(sleep1Threshold: -1);
                        continue;
                    }
                    lock (_sleepLock)
                    {
                        Interlocked.Increment(ref _sleepers);
                        while (Volatile.Read(ref _generation) == seen && !_stopped) Monitor.Wait(_sleepLock);
                        Interlocked.Decrement(ref _sleepers);
                    }
                }
                if (_stopped) return;
                seen = Volatile.Read(ref _generation);
                Execute(index);
                Interlocked.Decrement(ref _pending);
            }
        }

        public void Stop(bool join)
        {
            if (_stopped) return;
            _stopped = true;
            lock (_sleepLock) Monitor.PulseAll(_sleepLock);
            if (!join) return;
            foreach (var thread in _threads)
                if (thread != Thread.CurrentThread) thread.Join();
        }
    }
}
