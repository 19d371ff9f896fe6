namespace NextToken.Models;

public abstract partial class LanguageModel
{
    /// <summary>
    /// Loads a model and its tokenizer: a Hugging Face folder (<c>config.json</c> + safetensors), a <c>.gguf</c> file,
    /// or a llama2.c <c>.bin</c> checkpoint (with <c>tokenizer.bin</c> or <c>tok&lt;vocab&gt;.bin</c> beside it).
    /// The weights are memory-mapped, not copied. The tokenizer is built on first use of <see cref="Tokenizer"/>.
    /// </summary>
    /// <exception cref="FileFormatException">A missing or malformed file, an unsupported architecture, or weights that do not fit the configuration.</exception>
    public static LanguageModel Load(string path, ModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ModelLoader.Load(path, options ?? ModelOptions.Default);
    }

    /// <summary>The architectures <see cref="Load"/> understands.</summary>
    public static IReadOnlyList<string> SupportedArchitectures => ModelLoader.SupportedArchitectures;
}
