using NextToken.Gguf;
using NextToken.Tokenizers.Bpe;
using NextToken.Tokenizers.HuggingFace;
using NextToken.Tokenizers.PreTokenization;

namespace NextToken.Tokenizers;

/// <summary>
/// Tokenizers from the vocabulary a GGUF file embeds (<c>tokenizer.ggml.*</c>): <c>gpt2</c> (byte-level BPE with
/// merges; <c>tokenizer.ggml.pre</c> names the split pattern) and <c>bert</c> (WordPiece).
/// </summary>
public static class GgufVocabularies
{
    // llama.cpp token types: 1 normal, 2 unknown, 3 control, 4 user defined, 5 unused, 6 byte.
    private const int Control = 3, UserDefined = 4;

    private static System.Text.Json.JsonElement Json(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>The split pattern for a <c>tokenizer.ggml.pre</c> name, as llama.cpp maps them; null when unknown.</summary>
    internal static TextSplitter? SplitterFor(string? pre) => pre switch
    {
        null or "default" or "gpt-2" or "phi-2" or "jina-es" or "jina-de" or "gigachat" or "jina-v1-en" or "jina-v2-es" or "jina-v2-de"
            or "jina-v2-code" or "roberta-bpe" or "mpt" or "olmo" or "poro-chat" or "viking" or "jais" => Gpt2Splitter.Instance,
        "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "pixtral" or "llama4" => Cl100kSplitter.Instance,
        "qwen2" or "deepseek-r1-qwen" or "megrez" or "stablelm2" => Cl100kSplitter.SingleDigits,
        "gpt-4o" => O200kSplitter.Instance,
        _ => null,
    };

    /// <summary>Builds the tokenizer of a GGUF file's metadata.</summary>
    /// <exception cref="FileFormatException">The vocabulary is missing, inconsistent or of a type this loader does not read.</exception>
    public static Tokenizer FromMetadata(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var path = metadata.FilePath;
        var model = metadata.GetString("tokenizer.ggml.model", null) ?? throw new FileFormatException("tokenizer", path, "the GGUF file has no embedded vocabulary ('tokenizer.ggml.model' is missing)");
        var tokens = metadata.GetArray<string>("tokenizer.ggml.tokens") ?? throw new FileFormatException("tokenizer", path, "'tokenizer.ggml.tokens' is missing");
        var types = metadata.GetArray<int>("tokenizer.ggml.token_type");
        if (types is not null && types.Length != tokens.Length)
            throw new FileFormatException("tokenizer", path, $"'tokenizer.ggml.token_type' has {types.Length} entries for {tokens.Length} tokens");
        int? Id(string key)
        {
            var v = metadata.GetInteger(key, null);
            // Converters write -1 (or its u32 form) for "this vocabulary has no such token".
            if (v is null or -1 or uint.MaxValue) return null;
            return v >= 0 && v < tokens.Length ? (int)v : throw new FileFormatException("tokenizer", path, $"'{key}' = {v} is outside the vocabulary of {tokens.Length}");
        }
        var bos = Id("tokenizer.ggml.bos_token_id");
        var eos = Id("tokenizer.ggml.eos_token_id");
        var pad = Id("tokenizer.ggml.padding_token_id");
        var unk = Id("tokenizer.ggml.unknown_token_id");
        var addBos = metadata.GetBool("tokenizer.ggml.add_bos_token", null);
        var addEos = metadata.GetBool("tokenizer.ggml.add_eos_token", null) ?? false;
        var vocab = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var id = 0; id < tokens.Length; id++) vocab.TryAdd(tokens[id], id);
        switch (model)
        {
            case "gpt2":
            {
                var pre = metadata.GetString("tokenizer.ggml.pre", null);
                var splitter = SplitterFor(pre) ?? throw new FileFormatException("tokenizer", path, $"pre-tokenizer '{pre}' is not supported");
                var mergeStrings = metadata.GetArray<string>("tokenizer.ggml.merges") ?? throw new FileFormatException("tokenizer", path, "'tokenizer.ggml.merges' is missing");
                var merges = new List<(string, string)>(mergeStrings.Length);
                foreach (var m in mergeStrings)
                {
                    var space = m.IndexOf(' ', 1);
                    if (space <= 0) throw new FileFormatException("tokenizer", path, $"merge '{m}' is not two tokens separated by a space");
                    merges.Add((m[..space], m[(space + 1)..]));
                }
                var specials = new Dictionary<string, int>(StringComparer.Ordinal);
                var always = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var id = 0; id < tokens.Length; id++)
                {
                    if (types?[id] == Control) specials.TryAdd(tokens[id], id);
                    else if (types?[id] == UserDefined) always.TryAdd(tokens[id], id);
                }
                return Gpt2BpeFiles.Create(Path.GetFileNameWithoutExtension(path), vocab, tokens, merges, path, splitter, specials, always,
                    eot: eos, prefixIds: addBos == true && bos is { } b ? [b] : [], suffixIds: addEos && eos is { } e ? [e] : [],
                    bos: bos, pad: pad, unk: unk);
            }
            case "bert":
            {
                var f = new JsonFields(path);
                var unknown = unk is { } u ? tokens[u] : "[UNK]";
                var wordPiece = new WordPieceModel(vocab, tokens, unknown, "##", 100, path);
                var added = new List<AddedToken>();
                for (var id = 0; id < tokens.Length; id++)
                    if (types?[id] == Control) added.Add(new AddedToken(id, tokens[id], true, false, false, false, false));
                var cls = Id("tokenizer.ggml.cls_token_id") ?? bos;
                var sep = Id("tokenizer.ggml.seperator_token_id") ?? Id("tokenizer.ggml.separator_token_id") ?? eos;
                return new HuggingFaceTokenizer(Path.GetFileNameWithoutExtension(path),
                    Normalizer.Read(Json("""{"type":"BertNormalizer","lowercase":true}"""), f), PreTokenizer.Read(Json("""{"type":"BertPreTokenizer"}"""), f),
                    wordPiece, TokenDecoder.Read(Json("""{"type":"WordPiece","prefix":"##"}"""), f), added,
                    cls is { } c ? [c] : [], sep is { } s ? [s] : [], new SpecialTokenNames(cls is { } c2 ? tokens[c2] : null, sep is { } s2 ? tokens[s2] : null, pad is { } p ? tokens[p] : null, unknown));
            }
            case "llama":
                return SentencePiece.SentencePieceTokenizer.FromGguf(metadata);
            default:
                throw new FileFormatException("tokenizer", path, $"GGUF vocabulary type '{model}' is not supported");
        }
    }
}
