namespace NextToken.Testing;

/// <summary>Finds files under the repository's <c>tests/data</c> and <c>models</c> folders from any test's working directory.</summary>
internal static class TestData
{
    private static readonly Lazy<string> RepositoryRoot = new(() =>
    {
        // Builds may go to an artifacts folder outside the repository (NEXTTOKEN_ARTIFACTS): then start from this source file.
        foreach (var start in new[] { AppContext.BaseDirectory, System.IO.Path.GetDirectoryName(SourceFile()) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "NextToken.slnx")))
                    return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"cannot find the repository root (NextToken.slnx) above '{AppContext.BaseDirectory}'");
    });

    private static string SourceFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    /// <summary>The repository root.</summary>
    public static string Root => RepositoryRoot.Value;

    /// <summary>A path under <c>tests/data</c>, e.g. <c>TestData.Path("golden/tokenize/spm-llama2.jsonl")</c>.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root, "tests", "data", relative);

    /// <summary>The embedded default model, <c>models/stories260K.gguf</c>.</summary>
    public static string DefaultModel => System.IO.Path.Combine(Root, "models", "stories260K.gguf");

    /// <summary>Reads a JSON-lines file under <c>tests/data</c>, one document per non-empty line.</summary>
    public static IEnumerable<System.Text.Json.JsonElement> JsonLines(string relative)
    {
        foreach (var line in File.ReadLines(Path(relative)))
        {
            if (line.Length == 0) continue;
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            yield return doc.RootElement.Clone();
        }
    }
}
