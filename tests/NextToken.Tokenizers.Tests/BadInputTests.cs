namespace NextToken.Tokenizers.Tests;

/// <summary>Every load error is a <see cref="FileFormatException"/> naming the file.</summary>
public class BadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nexttoken-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static void AssertFails(string path, Func<Tokenizer> load, string? problemPart = null)
    {
        var e = Assert.Throws<FileFormatException>(load);
        Assert.Contains(Path.GetFileName(path), e.Message);
        if (problemPart is not null) Assert.Contains(problemPart, e.Problem);
    }

    [Fact]
    public void MissingFileAndFolder()
    {
        AssertFails(Path.Combine(_dir, "nope.tiktoken"), () => Tokenizer.FromFile(Path.Combine(_dir, "nope.tiktoken")), "no such file");
        AssertFails(Path.Combine(_dir, "nofolder"), () => Tokenizer.FromDirectory(Path.Combine(_dir, "nofolder")));
        AssertFails(_dir, () => Tokenizer.FromDirectory(_dir), "no tokenizer.json");
    }

    [Theory]
    [InlineData("cl100k_base.tiktoken", "", "empty")]
    [InlineData("cl100k_base.tiktoken", "IQ== 0\nnot-base64! 1\n", "base64")]
    [InlineData("cl100k_base.tiktoken", "IQ== zero\n", "rank")]
    [InlineData("cl100k_base.tiktoken", "IQ== 0\n", "byte 0x00")]
    [InlineData("tokenizer.json", "", "empty")]
    [InlineData("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [", "malformed JSON")]
    [InlineData("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": \"zero\"}, \"merges\": []}}", "valid id")]
    [InlineData("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a b\"]}}", "not in the vocabulary")]
    [InlineData("tokenizer.json", "{\"model\": {\"type\": \"Wordy\", \"vocab\": {}}}", "not supported")]
    [InlineData("tokenizer.json", "[1, 2]", "no 'model'")]
    [InlineData("vocab.json", "{\"a\": 0}", "merges.txt")]
    public void MalformedFiles(string name, string content, string problem)
    {
        var path = Write(name, content);
        AssertFails(path, () => Tokenizer.FromFile(path), problem);
    }

    [Fact]
    public void TruncatedRealFiles()
    {
        var json = File.ReadAllText(NextToken.Testing.TestData.Path("tokenizers/mistral/tokenizer.json"));
        var path = Write("tokenizer.json", json[..(json.Length / 2)]);
        AssertFails(path, () => Tokenizer.FromFile(path), "malformed JSON");

        var vocab = Write("vocab.json", File.ReadAllText(NextToken.Testing.TestData.Path("tokenizers/gpt2/vocab.json")));
        var merges = File.ReadAllLines(NextToken.Testing.TestData.Path("tokenizers/gpt2/merges.txt"));
        File.WriteAllLines(Path.Combine(_dir, "merges.txt"), merges.Take(1000).Append("Ġthe"));
        AssertFails(Path.Combine(_dir, "merges.txt"), () => Tokenizer.FromFile(vocab), "line 1001");

        var gguf = File.ReadAllBytes(NextToken.Testing.TestData.Path("models/gpt2-random/gpt2-random.gguf"));
        var truncated = Path.Combine(_dir, "cut.gguf");
        File.WriteAllBytes(truncated, gguf[..5000]);
        AssertFails(truncated, () => Tokenizer.FromFile(truncated));
    }

    [Fact]
    public void AMalformedTokenizerModelIsAFileErrorThroughTheDispatch()
    {
        var model = Write("tokenizer.model", "\n\x05hello");
        AssertFails(model, () => Tokenizer.FromFile(model), "protobuf");
    }

    [Fact]
    public void UnknownEncodingOrModelIsAnArgumentError()
    {
        Assert.Throws<ArgumentException>(() => Tokenizer.ForEncoding("p99k", LoadedTokenizers.TiktokenDirectory));
        Assert.Throws<ArgumentException>(() => Tokenizer.ForModel("not-a-model", LoadedTokenizers.TiktokenDirectory));
    }
}
