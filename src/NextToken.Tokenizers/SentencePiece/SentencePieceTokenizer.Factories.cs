using NextToken.Gguf;

namespace NextToken.Tokenizers.SentencePiece;

public sealed partial class SentencePieceTokenizer
{
    /// <summary>
    /// Loads a SentencePiece <c>tokenizer.model</c> (a <c>ModelProto</c>): BPE or Unigram, with its normalizer.
    /// </summary>
    /// <param name="path">The <c>tokenizer.model</c> file.</param>
    /// <param name="addBos">Override whether <c>Encode(addSpecialTokens: true)</c> adds BOS (a Hugging Face
    /// <c>tokenizer_config.json</c>'s <c>add_bos_token</c>); null keeps the default: BOS when the model has one.</param>
    /// <param name="addEos">Override whether EOS is added (<c>add_eos_token</c>); null keeps the default: no.</param>
    /// <exception cref="FileFormatException">The file is missing, not a SentencePiece model, or malformed.</exception>
    public static SentencePieceTokenizer FromModelFile(string path, bool? addBos = null, bool? addEos = null)
    {
        var options = SentencePieceModelReader.Read(path);
        options = options with { AddBos = addBos ?? options.AddBos, AddEos = addEos ?? options.AddEos };
        return new SentencePieceTokenizer(options);
    }

    /// <summary>Loads a llama2.c <c>tokenizer.bin</c> (e.g. <c>tok512.bin</c>).</summary>
    /// <exception cref="FileFormatException">The file is missing, truncated or malformed.</exception>
    public static SentencePieceTokenizer FromLlama2cFile(string path) => new(Llama2cVocabularyReader.Read(path));

    /// <summary>The vocabulary embedded in a GGUF file whose <c>tokenizer.ggml.model</c> is <c>llama</c>.</summary>
    /// <exception cref="FileFormatException">The vocabulary is missing, of another kind, or inconsistent.</exception>
    public static new SentencePieceTokenizer FromGguf(GgufMetadata metadata) => new(GgufVocabularyReader.Read(metadata));
}
