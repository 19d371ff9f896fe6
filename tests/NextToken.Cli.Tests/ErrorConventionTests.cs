namespace NextToken.Cli.Tests;

public class ErrorConventionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nexttoken-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("info")]
    [InlineData("next")]
    [InlineData("bench")]
    public void A_missing_model_is_one_line_on_stderr_with_exit_code_1(string command)
    {
        var missing = Path.Combine(_dir, "nope.gguf");
        string[] args = command == "next" ? [command, "--model", missing, "hello"] : [command, "--model", missing];
        var result = CliRunner.Run(args);
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains("nope.gguf", line);
    }

    [Fact]
    public void A_corrupt_model_names_the_file_and_the_problem()
    {
        var corrupt = Path.Combine(_dir, "x.gguf");
        File.WriteAllBytes(corrupt, "this is not a model at all, just text"u8.ToArray());
        var result = CliRunner.Run("next", "--model", corrupt, "hello");
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: cannot read model '{corrupt}': not a GGUF file (bad magic)", line.TrimEnd());
    }

    [Fact]
    public void An_empty_model_file_is_an_error_not_a_crash()
    {
        var empty = Path.Combine(_dir, "empty.gguf");
        File.WriteAllBytes(empty, []);
        var result = CliRunner.Run("info", "--model", empty);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: cannot read model", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public void Verbose_adds_the_stack_trace()
    {
        var corrupt = Path.Combine(_dir, "y.gguf");
        File.WriteAllBytes(corrupt, new byte[64]);
        var result = CliRunner.Run("info", "--model", corrupt, "--verbose");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("   at ", result.Error);
    }

    [Theory]
    [InlineData("generate")]
    [InlineData("tokenize")]
    [InlineData("vocab")]
    [InlineData("info")]
    [InlineData("next")]
    [InlineData("score")]
    [InlineData("poe")]
    [InlineData("speculative")]
    [InlineData("bench")]
    [InlineData("create-random")]
    [InlineData("quantize")]
    public void Every_command_has_help(string command)
    {
        var result = CliRunner.Run(command, "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Output);
        Assert.Contains(command, result.Output);
    }

    [Fact]
    public void A_bad_range_is_a_clear_argument_error()
    {
        var result = CliRunner.Run("vocab", "--range", "10..5");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--range '10..5'", result.Error);
    }

    [Fact]
    public void A_command_line_mistake_is_one_line_pointing_at_help()
    {
        var result = CliRunner.Run("next", "hello", "--top", "lots");
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains("lots", line);
        Assert.EndsWith("(see 'nexttoken next --help')", line.TrimEnd());
        Assert.Equal("", result.Output);
    }
}
