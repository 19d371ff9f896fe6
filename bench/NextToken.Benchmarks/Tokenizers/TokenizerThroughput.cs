using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using NextToken.Tokenizers;

namespace NextToken.Benchmarks.Tokenizers;

/// <summary>
/// Whole-document encoding speed. <c>dotnet run -c Release --project bench/NextToken.Benchmarks -- tokenizers &lt;corpus&gt; [tokenizers-dir]</c>
/// prints MB/s per tokenizer (UTF-8 megabytes of input per second, single thread, best of several runs after a warm-up).
/// </summary>
public static class TokenizerThroughput
{
    public static void Run(string[] args)
    {
        if (args.Length < 2) { Console.Error.WriteLine("usage: tokenizers <corpus-file> [tests/data/tokenizers]"); return; }
        var text = File.ReadAllText(args[1]);
        var dir = args.Length > 2 ? args[2] : Path.Combine("tests", "data", "tokenizers");
        var megabytes = Encoding.UTF8.GetByteCount(text) / 1e6;
        Console.WriteLine($"corpus: {args[1]}, {megabytes:F2} MB, {text.Length} chars");
        foreach (var (name, load) in Tokenizers(dir))
        {
            var sw = Stopwatch.StartNew();
            var tokenizer = load();
            var loadMs = sw.Elapsed.TotalMilliseconds;
            var ids = tokenizer.Encode(text);   // warm-up (fills the piece cache, as a long-running process would)
            var best = double.MaxValue;
            for (var run = 0; run < 5; run++)
            {
                sw.Restart();
                ids = tokenizer.Encode(text);
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            var roundTrip = tokenizer.Decode(ids) == text ? "round-trip ok" : "ROUND-TRIP DIFFERS";
            Console.WriteLine($"{name,-14} {megabytes / best,8:F1} MB/s  {ids.Length,9} tokens  load {loadMs,6:F0} ms  {roundTrip}");
        }
    }

    internal static IEnumerable<(string Name, Func<Tokenizer> Load)> Tokenizers(string dir) =>
    [
        ("gpt2", () => Tokenizer.FromDirectory(Path.Combine(dir, "gpt2"))),
        ("r50k_base", () => Tokenizer.ForEncoding("r50k_base", Path.Combine(dir, "tiktoken"))),
        ("cl100k_base", () => Tokenizer.ForEncoding("cl100k_base", Path.Combine(dir, "tiktoken"))),
        ("o200k_base", () => Tokenizer.ForEncoding("o200k_base", Path.Combine(dir, "tiktoken"))),
        ("llama3", () => Tokenizer.FromDirectory(Path.Combine(dir, "llama3"))),
        ("mistral", () => Tokenizer.FromDirectory(Path.Combine(dir, "mistral"))),
    ];
}

/// <summary>BenchmarkDotNet view of the same measurement; set NEXTTOKEN_CORPUS to a text file (defaults to a generated one).</summary>
[MemoryDiagnoser]
public class TokenizerEncodeBenchmarks
{
    private Tokenizer _tokenizer = null!;
    private string _text = "";

    [Params("gpt2", "cl100k_base", "o200k_base")]
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
