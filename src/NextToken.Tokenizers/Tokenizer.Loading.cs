using NextToken.Gguf;

namespace NextToken.Tokenizers;

// INTEGRATION STUB: the tok-bpe helper owns this file and replaces every body below with the real dispatch.
public abstract partial class Tokenizer
{
    /// <summary>Loads a tokenizer from one file, detecting its format: <c>tokenizer.json</c>, <c>tokenizer.model</c>,
    /// <c>*.tiktoken</c>, <c>vocab.json</c> (with <c>merges.txt</c> beside it), a GGUF file's embedded vocabulary,
    /// or a llama2.c <c>tokenizer.bin</c>.</summary>
    public static Tokenizer FromFile(string path) => throw new NotSupportedException("tokenizer loading is being built");

    /// <summary>Loads the tokenizer of a Hugging Face style folder (<c>tokenizer.json</c>, <c>tokenizer.model</c>,
    /// <c>vocab.json</c> + <c>merges.txt</c>; <c>tokenizer_config.json</c> for BOS/EOS handling).</summary>
    public static Tokenizer FromDirectory(string directory) => throw new NotSupportedException("tokenizer loading is being built");

    /// <summary>The vocabulary embedded in a GGUF file (<c>tokenizer.ggml.*</c>).</summary>
    public static Tokenizer FromGguf(GgufMetadata metadata) => throw new NotSupportedException("tokenizer loading is being built");

    /// <summary>A tiktoken encoding by name (<c>r50k_base</c>, <c>p50k_base</c>, <c>p50k_edit</c>, <c>cl100k_base</c>,
    /// <c>o200k_base</c>, <c>gpt2</c>) from the folder holding its <c>.tiktoken</c> file.</summary>
    public static Tokenizer ForEncoding(string name, string directory) => throw new NotSupportedException("tokenizer loading is being built");

    /// <summary>The tiktoken encoding an OpenAI model uses (<c>gpt-4o</c> → <c>o200k_base</c>, <c>gpt-4</c> → <c>cl100k_base</c>…).</summary>
    public static Tokenizer ForModel(string modelName, string directory) => throw new NotSupportedException("tokenizer loading is being built");
}
