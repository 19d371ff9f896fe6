using NextToken.Models;
using NextToken.Tokenizers;

namespace NextToken.Cli;

/// <summary>Turns <c>--tokenizer</c> / <c>--model</c> into a tokenizer: a file, a folder, an encoding or model name, or the model's own.</summary>
internal static class TokenizerResolver
{
    private static readonly string[] EncodingNames = ["gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base"];

    public static Tokenizer Resolve(string? tokenizer, string? model)
    {
        if (!string.IsNullOrEmpty(tokenizer))
        {
            if (File.Exists(tokenizer)) return Tokenizer.FromFile(tokenizer);
            if (Directory.Exists(tokenizer)) return Tokenizer.FromDirectory(tokenizer);
            if (EncodingNames.Contains(tokenizer, StringComparer.OrdinalIgnoreCase))
                return Tokenizer.ForEncoding(tokenizer.ToLowerInvariant(), CommonOptions.BundledTokenizersDirectory);
            if (!tokenizer.Contains('/') && !tokenizer.Contains('\\') && !Path.HasExtension(tokenizer))
            {
                try
                {
                    return Tokenizer.ForModel(tokenizer, CommonOptions.BundledTokenizersDirectory);
                }
                catch (ArgumentException)
                {
                    // Not a known model name either: fall through to the error below.
                }
            }
            throw new ArgumentException(
                $"--tokenizer '{tokenizer}' is not a file, a folder, an encoding ({string.Join(", ", EncodingNames)}) or an OpenAI model name", "tokenizer");
        }
        var path = CommonOptions.ResolveModelPath(model);
        // A GGUF file carries its vocabulary in the header: no need to map the weights.
        if (File.Exists(path) && path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
            return Tokenizer.FromFile(path);
        using var loaded = LanguageModel.Load(path);
        return loaded.Tokenizer;
    }
}
