using System.CommandLine;

namespace NextToken.Cli;

/// <summary>The options several commands share, built fresh per command so each gets its own help text.</summary>
internal static class CommonOptions
{
    /// <summary>The model that ships with NextToken, used when no <c>--model</c> is given.</summary>
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, "models", "stories260K.gguf");

    /// <summary>Tokenizer files shipped with the tool (tiktoken rank files), found by encoding name.</summary>
    public static string BundledTokenizersDirectory => Path.Combine(AppContext.BaseDirectory, "tokenizers");

    public static Option<string> Model() => new("--model", "-m")
    {
        Description = "Model to load: a .gguf file, a llama2.c .bin checkpoint, or a Hugging Face folder (config.json + safetensors). Default: the embedded stories260K model.",
        HelpName = "PATH",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print the result as JSON, for scripts.",
    };

    public static Option<int> Threads() => new("--threads", "-t")
    {
        Description = "Compute threads (default: one per core).",
        HelpName = "N",
    };

    /// <summary>Resolves <c>--model</c> (or the default) to a path that exists, with a one-line error otherwise.</summary>
    public static string ResolveModelPath(string? given)
    {
        var path = string.IsNullOrEmpty(given) ? DefaultModelPath : given;
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileFormatException("model", path, string.IsNullOrEmpty(given) ? "the embedded default model is missing from the installation" : "no such file or folder");
        return path;
    }
}
