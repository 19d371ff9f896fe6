using System.Text.Json;
using NextToken.Files;
using NextToken.Models;
using NextToken.Numerics;

namespace NextToken.Cli.Tests;

public sealed class ConversionCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nexttoken-convert-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string In(string name) => Path.Combine(_dir, name);

    private static string OnlyErrorLine(CliRunner.Result result)
    {
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        return line;
    }

    [Fact]
    public void CreateRandomWritesALoadableModelAndReportsIt()
    {
        var path = In("r.gguf");
        var result = CliRunner.Run("create-random", "--dim", "64", "--layers", "2", "--heads", "4", "--kv-heads", "2", "--ffn", "128",
            "--vocab", "320", "--context", "96", "--type", "q4_0", "--seed", "3", "-o", path, "--json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal(path, json.RootElement.GetProperty("output").GetString());
        Assert.Equal(new FileInfo(path).Length, json.RootElement.GetProperty("file_bytes").GetInt64());
        using var model = LanguageModel.Load(path);
        Assert.Equal(320, model.Info.VocabularySize);
        Assert.Equal(96, model.Info.ContextLength);
        Assert.Equal(2, model.Info.KvHeadCount);
        using var gguf = GgufFile.Open(path);
        Assert.Equal(TensorType.Q4_0, gguf.GetTensorInfo("blk.1.ffn_down.weight").Type);
        Assert.Equal(TensorType.Q8_0, gguf.GetTensorInfo("output.weight").Type); // Q6_K does not fit rows of 64
    }

    [Fact]
    public void CreateRandomOutputTypeOverridesTheDefault()
    {
        var path = In("o.gguf");
        var result = CliRunner.Run("create-random", "--dim", "64", "--layers", "1", "--heads", "4", "--ffn", "128", "--vocab", "300",
            "--type", "q8_0", "--output-type", "f16", "-o", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("wrote", result.Output);
        using var gguf = GgufFile.Open(path);
        Assert.Equal(TensorType.F16, gguf.GetTensorInfo("output.weight").Type);
    }

    [Theory]
    [InlineData("--heads", "--dim", "64", "--heads", "5", "--ffn", "128")]
    [InlineData("--kv-heads", "--dim", "64", "--heads", "4", "--kv-heads", "3", "--ffn", "128")]
    [InlineData("--dim", "--dim", "64", "--heads", "4", "--ffn", "256", "--type", "q4_k")]
    [InlineData("--ffn", "--dim", "256", "--heads", "4", "--ffn", "300", "--type", "q5_k")]
    [InlineData("--type", "--dim", "64", "--heads", "4", "--ffn", "128", "--type", "q9_9")]
    [InlineData("--vocab", "--dim", "64", "--heads", "4", "--ffn", "128", "--vocab", "10")]
    [InlineData("--layers", "--dim", "64", "--heads", "4", "--ffn", "128", "--layers", "0")]
    public void CreateRandomBadArgumentsNameTheOption(string option, params string[] args)
    {
        var all = new List<string> { "create-random", "-o", In("bad.gguf") };
        if (!args.Contains("--layers")) all.AddRange(["--layers", "1"]);
        all.AddRange(args);
        var line = OnlyErrorLine(CliRunner.Run([.. all]));
        Assert.Contains(option, line);
        Assert.False(File.Exists(In("bad.gguf")));
    }
}
