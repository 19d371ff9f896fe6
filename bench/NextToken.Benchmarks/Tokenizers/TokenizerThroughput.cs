using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using NextToken.Tokenizers;

namespace NextToken.Benchmarks.Tokenizers;

/// <summary>
/// Whole-document encoding speed. <c>dotnet run -c Release --project bench/NextToken.Benchmarks -- tokenizers &lt;corpus&gt; [tokenizers-dir] [name…]</c>
/// prints, per tokenizer and single-threaded: load time (first load in the process, then the best of three later loads,
/// once the JIT has compiled the loader), the cold speed (best of three freshly loaded tokenizers' first passes over the document,
/// after the JIT has warmed up on a different text) and the warm speed (best of five more passes, piece caches full),
/// in UTF-8 megabytes of input per second, with the allocation per cold pass. The machine may be shared, so each
/// speed is also given by process CPU time ("cpu"), which other processes disturb far less than wall-clock time.
/// </summary>
public static class TokenizerThroughput
{
    public static void Run(string[] args)
    {
        if (args.Length < 2) { Console.Error.WriteLine("usage: tokenizers <corpus-file> [tests/data/tokenizers] [names…]"); return; }
        var text = File.ReadAllText(args[1]);
        var dir = args.Length > 2 ? args[2] : Path.Combine("tests", "data", "tokenizers");
        var only = args.Skip(3).ToHashSet();
        var megabytes = Encoding.UTF8.GetByteCount(text) / 1e6;
        // JIT warm-up text: the document reversed word by word, so the encoder's code is compiled but its caches
        // do not already hold this document's pieces.
        var warmUp = string.Join(' ', text[..Math.Min(text.Length, 200_000)].Split(' ').Reverse()) + " déjà vu 東京 😀 1234567";
        Console.WriteLine($"corpus: {args[1]}, {megabytes:F2} MB, {text.Length} chars");
        foreach (var (name, load) in Tokenizers(dir))
        {
            if (only.Count > 0 && !only.Contains(name)) continue;
            var sw = Stopwatch.StartNew();
            var first = load();
            var firstLoadMs = sw.Elapsed.TotalMilliseconds;
            // Tiered compilation recompiles hot methods in the background only after a quiet 100 ms, so pause between
            // warm-up passes; otherwise the first tokenizer of each kind is timed partly on unoptimized code.
            for (var pass = 0; pass < 4; pass++)
            {
                first.Encode(warmUp);
                Thread.Sleep(150);
            }
            // Three fresh tokenizers, each timed loading and on its first pass over the document; the best of each counts.
            var loadMs = double.MaxValue;
            var cold = double.MaxValue;
            var coldCpu = double.MaxValue;
            var loadCpuMs = double.MaxValue;
            var allocated = long.MaxValue;
            Tokenizer tokenizer = first;
            int[] ids = [];
            for (var i = 0; i < 3; i++)
            {
                tokenizer = null!;
                GC.Collect();
                var loadCpu = CpuSeconds();
                sw.Restart();
                tokenizer = load();
                loadMs = Math.Min(loadMs, sw.Elapsed.TotalMilliseconds);
                loadCpuMs = Math.Min(loadCpuMs, (CpuSeconds() - loadCpu) * 1000);
                GC.Collect();
                var before = GC.GetAllocatedBytesForCurrentThread();
                var cpu = CpuSeconds();
                sw.Restart();
                ids = tokenizer.Encode(text);
                cold = Math.Min(cold, sw.Elapsed.TotalSeconds);
                coldCpu = Math.Min(coldCpu, CpuSeconds() - cpu);
                allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            var best = double.MaxValue;
            var worst = 0.0;
            var bestCpu = double.MaxValue;
            for (var run = 0; run < 5; run++)
            {
                var cpu = CpuSeconds();
                sw.Restart();
                ids = tokenizer.Encode(text);
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
                bestCpu = Math.Min(bestCpu, CpuSeconds() - cpu);
                worst = Math.Max(worst, sw.Elapsed.TotalSeconds);
            }
            var roundTrip = tokenizer.Decode(ids) == text ? "round-trip ok" : "ROUND-TRIP DIFFERS";
            Console.WriteLine($"{name,-12} cold {megabytes / cold,6:F1} MB/s (cpu {megabytes / coldCpu,5:F1})  warm {megabytes / best,6:F1} MB/s (cpu {megabytes / bestCpu,5:F1}, slowest {megabytes / worst,5:F1})  " +
                              $"{ids.Length,7} tokens  alloc {allocated / 1e6,6:F1} MB  load {firstLoadMs,5:F0} ms first, {loadMs,4:F0} ms later (cpu {loadCpuMs,4:F0})  {roundTrip}");
        }
    }

    private static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    internal static IEnumerable<(string Name, Func<Tokenizer> Load)> Tokenizers(string dir) =>
    [
        ("gpt2", () => Tokenizer.FromDirectory(Path.Combine(dir, "gpt2"))),
        ("r50k_base", () => Tokenizer.ForEncoding("r50k_base", Path.Combine(dir, "tiktoken"))),
        ("cl100k_base", () => Tokenizer.ForEncoding("cl100k_base", Path.Combine(dir, "tiktoken"))),
        ("o200k_base", () => Tokenizer.ForEncoding("o200k_base", Path.Combine(dir, "tiktoken"))),
        ("llama3", () => Tokenizer.FromDirectory(Path.Combine(dir, "llama3"))),
        ("llama2", () => Tokenizer.FromDirectory(Path.Combine(dir, "llama2"))),
        ("mistral", () => Tokenizer.FromDirectory(Path.Combine(dir, "mistral"))),
    ];
}

/// <summary>BenchmarkDotNet view of the same measurement; set NEXTTOKEN_CORPUS to a text file (defaults to a generated one).</summary>
[MemoryDiagnoser]
public class TokenizerEncodeBenchmarks
{
    private Tokenizer _tokenizer = null!;
    private string _text = "";

    [Params("gpt2", "cl100k_base", "o200k_base", "llama2")]
    public string Name { get; set; } = "gpt2";

    [GlobalSetup]
    public void Setup()
    {
        var root = Directory.GetCurrentDirectory();
        while (!File.Exists(Path.Combine(root, "NextToken.slnx")) && Directory.GetParent(root) is { } parent) root = parent.FullName;
        var dir = Path.Combine(root, "tests", "data", "tokenizers");
        _tokenizer = TokenizerThroughput.Tokenizers(dir).First(t => t.Name == Name).Load();
        var corpus = Environment.GetEnvironmentVariable("NEXTTOKEN_CORPUS");
        _text = corpus is not null ? File.ReadAllText(corpus)
            : string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. It's 2024, and tokenizers aren't slow!\n", 20000));
        _tokenizer.Encode(_text);
    }

    [Benchmark]
    public int Encode() => _tokenizer.Encode(_text).Length;
}
