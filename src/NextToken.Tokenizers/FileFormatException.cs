namespace NextToken;

/// <summary>
/// The one exception every NextToken loader throws for a file it cannot use: a tokenizer, a model, a
/// configuration. The message names the file and what is wrong with it, in one line, e.g.
/// <c>cannot read model 'x.gguf': not a GGUF file (bad magic)</c>.
/// </summary>
public class FileFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What the file was meant to be: "model", "tokenizer", "GGUF file", "config"…</param>
    /// <param name="filePath">The file (or folder) as the user gave it.</param>
    /// <param name="problem">What is wrong, lower case, no trailing period.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public FileFormatException(string kind, string filePath, string problem, Exception? inner = null)
        : base($"cannot read {kind} '{filePath}': {problem}", inner)
    {
        Kind = kind;
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>What the file was meant to be ("model", "tokenizer", …).</summary>
    public string Kind { get; }

    /// <summary>The file or folder that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
