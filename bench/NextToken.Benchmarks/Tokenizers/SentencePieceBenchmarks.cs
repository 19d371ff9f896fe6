using System.Text;
using BenchmarkDotNet.Attributes;
using NextToken.Tokenizers.SentencePiece;

namespace NextToken.Benchmarks.Tokenizers;

/// <summary>
/// Encoding about 2 MB of English (licence texts found on the machine) as one document with the Llama 2
/// <c>tokenizer.model</c>: <c>dotnet run -c Release --project bench/NextToken.Benchmarks -- --filter '*SentencePiece*'</c>.
/// Throughput is <c>TextBytes / mean time</c>. <see cref="EncodeCold"/> builds a fresh tokenizer each time, so
/// its word cache starts empty.
/// </summary>
[MemoryDiagnoser]
public class SentencePieceBenchmarks
{
    private SentencePieceTokenizer _tokenizer = null!;
    private string _modelPath = null!;
    private string _text = null!;

    /// <summary>UTF-8 size of the text being encoded.</summary>
    public int TextBytes => Encoding.UTF8.GetByteCount(_text);

    [GlobalSetup]
    public void Setup()
    {
        _modelPath = Path.Combine(RepositoryRoot(), "tests", "data", "tokenizers", "llama2", "tokenizer.model");
        _tokenizer = SentencePieceTokenizer.FromModelFile(_modelPath);
        _text = EnglishText(2_000_000);
        _tokenizer.Encode(_text);
    }

    [Benchmark]
    public int EncodeWarm() => _tokenizer.Encode(_text).Length;

    [Benchmark]
    public int EncodeCold() => SentencePieceTokenizer.FromModelFile(_modelPath).Encode(_text).Length;

    [Benchmark]
    public int CountTokens() => _tokenizer.CountTokens(_text);

    /// <summary>About <paramref name="size"/> characters of English from licence and copyright files, repeated if needed.</summary>
    public static string EnglishText(int size)
    {
        var builder = new StringBuilder(size + 100_000);
        var sources = new List<string>();
        if (Directory.Exists("/usr/share/common-licenses")) sources.AddRange(Directory.EnumerateFiles("/usr/share/common-licenses"));
        if (Directory.Exists("/usr/share/doc"))
            sources.AddRange(Directory.EnumerateFiles("/usr/share/doc", "copyright", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        if (sources.Count == 0) throw new InvalidOperationException("no English text found under /usr/share");
        while (builder.Length < size)
        {
            foreach (var file in sources)
            {
                try { builder.Append(File.ReadAllText(file)); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                if (builder.Length >= size) break;
            }
        }
        return builder.ToString(0, size);
    }

    /// <summary>The repository root, found from the build output, the working folder or this source file's location.</summary>
    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory, Path.GetDirectoryName(sourceFile) ?? "." })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "NextToken.slnx"))) return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("run the benchmarks from inside the repository");
    }
}
