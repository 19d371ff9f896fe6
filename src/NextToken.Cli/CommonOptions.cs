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

    public static Option<string> Arithmetic() => new("--arithmetic")
    {
        Description = "How quantized weights multiply: 'exact' (weights decoded to float32; follows a float32 reference, fastest prompts) or 'int8' (activations quantized to 8 bits and integer dot products, as llama.cpp computes).",
        HelpName = "exact|int8",
        DefaultValueFactory = _ => "exact",
    };

    /// <summary>Whether <c>--arithmetic</c> asks for llama.cpp's 8-bit activations.</summary>
    public static bool QuantizeActivations(string? arithmetic) => arithmetic?.ToLowerInvariant() switch
    {
        null or "exact" => false,
        "int8" => true,
        _ => throw new ArgumentException($"--arithmetic '{arithmetic}' is not one of: exact, int8", "arithmetic"),
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
