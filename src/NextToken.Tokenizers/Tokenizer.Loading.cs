using NextToken.Gguf;
using NextToken.Tokenizers.Bpe;
using NextToken.Tokenizers.HuggingFace;
using NextToken.Tokenizers.Tiktoken;

namespace NextToken.Tokenizers;

public abstract partial class Tokenizer
{
    /// <summary>Loads a tokenizer from one file, detecting its format: <c>tokenizer.json</c>, <c>tokenizer.model</c>,
    /// <c>*.tiktoken</c>, <c>vocab.json</c> (with <c>merges.txt</c> beside it), a GGUF file's embedded vocabulary,
    /// or a llama2.c <c>tokenizer.bin</c>.</summary>
    /// <exception cref="FileFormatException">The file is missing, of an unknown format, or malformed.</exception>
    public static Tokenizer FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) return FromDirectory(path);
        if (!File.Exists(path)) throw new FileFormatException("tokenizer", path, "no such file");
        var name = Path.GetFileName(path).ToLowerInvariant();
        var head = ReadHead(path);
        if (head.Length == 0) throw new FileFormatException("tokenizer", path, "the file is empty");
        if (head.Length >= 4 && BitConverter.ToUInt32(head, 0) == GgufMetadata.Magic)
        {
            GgufMetadata metadata;
            try { metadata = GgufMetadata.Read(path); }
            catch (FileFormatException e) { throw new FileFormatException("tokenizer", path, e.Problem, e); }
            return FromGguf(metadata);
        }
        if (name.EndsWith(".tiktoken", StringComparison.Ordinal)) return TiktokenTokenizers.Load(path);
        if (name == "vocab.json")
        {
            var merges = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "merges.txt");
            if (!File.Exists(merges)) throw new FileFormatException("tokenizer", path, "no 'merges.txt' beside this vocab.json");
            return Gpt2BpeFiles.Load(path, merges);
        }
        if (name.EndsWith(".json", StringComparison.Ordinal) || FirstNonBlank(head) == '{') return HuggingFaceTokenizers.Load(path);
        if (name.EndsWith(".model", StringComparison.Ordinal))
        {
            var (addBos, addEos) = HuggingFaceTokenizers.ReadAddFlags(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "tokenizer_config.json"));
            return SentencePiece.SentencePieceTokenizer.FromModelFile(path, addBos, addEos);
        }
        if (name.EndsWith(".bin", StringComparison.Ordinal)) return SentencePiece.SentencePieceTokenizer.FromLlama2cFile(path);
        if (LooksLikeTiktoken(head)) return TiktokenTokenizers.Load(path);
        throw new FileFormatException("tokenizer", path, "unknown tokenizer format (expected tokenizer.json, tokenizer.model, *.tiktoken, vocab.json, GGUF or tokenizer.bin)");
    }

    /// <summary>Loads the tokenizer of a Hugging Face style folder (<c>tokenizer.json</c>, <c>tokenizer.model</c>,
    /// <c>vocab.json</c> + <c>merges.txt</c>; <c>tokenizer_config.json</c> for BOS/EOS handling).</summary>
    /// <exception cref="FileFormatException">The folder is missing or holds no tokenizer file.</exception>
    public static Tokenizer FromDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory)) throw new FileFormatException("tokenizer", directory, "no such folder");
        string In(string file) => Path.Combine(directory, file);
        if (File.Exists(In("tokenizer.json"))) return HuggingFaceTokenizers.Load(In("tokenizer.json"));
        if (File.Exists(In("vocab.json")) && File.Exists(In("merges.txt"))) return Gpt2BpeFiles.Load(In("vocab.json"), In("merges.txt"));
        if (File.Exists(In("tokenizer.model"))) return FromFile(In("tokenizer.model"));
        var tiktoken = Directory.GetFiles(directory, "*.tiktoken");
        if (tiktoken.Length == 1) return TiktokenTokenizers.Load(tiktoken[0]);
        if (File.Exists(In("tokenizer.bin"))) return FromFile(In("tokenizer.bin"));
        throw new FileFormatException("tokenizer", directory, "no tokenizer.json, vocab.json + merges.txt, tokenizer.model, .tiktoken or tokenizer.bin in this folder");
    }

    /// <summary>The vocabulary embedded in a GGUF file (<c>tokenizer.ggml.*</c>).</summary>
    public static Tokenizer FromGguf(GgufMetadata metadata) => GgufVocabularies.FromMetadata(metadata);

    /// <summary>A tiktoken encoding by name (<c>r50k_base</c>, <c>p50k_base</c>, <c>p50k_edit</c>, <c>cl100k_base</c>,
    /// <c>o200k_base</c>, <c>gpt2</c>) from the folder holding its <c>.tiktoken</c> file.</summary>
    public static Tokenizer ForEncoding(string name, string directory) => TiktokenTokenizers.ForEncoding(name, directory);

    /// <summary>The tiktoken encoding an OpenAI model uses (<c>gpt-4o</c> → <c>o200k_base</c>, <c>gpt-4</c> → <c>cl100k_base</c>…).</summary>
    public static Tokenizer ForModel(string modelName, string directory) => TiktokenTokenizers.ForModel(modelName, directory);

    /// <summary>Every id with its display piece, in id order (ids the vocabulary leaves unused are skipped).</summary>
    public virtual IEnumerable<(int Id, string Piece)> EnumerateVocabulary()
    {
        for (var id = 0; id < VocabularySize; id++)
        {
            string piece;
            try { piece = TokenToPiece(id); }
            catch (ArgumentOutOfRangeException) { continue; }
            yield return (id, piece);
        }
    }

    private static byte[] ReadHead(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[256];
            var n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return buffer[..n];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException("tokenizer", path, e.Message, e);
        }
    }

    private static char FirstNonBlank(byte[] head)
    {
        foreach (var b in head) if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)) return (char)b;
        return '\0';
    }

    private static bool LooksLikeTiktoken(byte[] head)
    {
        var line = head.AsSpan();
        var newline = line.IndexOf((byte)'\n');
        if (newline >= 0) line = line[..newline];
        var space = line.IndexOf((byte)' ');
        return space > 0 && line[(space + 1)..].TrimEnd((byte)'\r').IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }
}
