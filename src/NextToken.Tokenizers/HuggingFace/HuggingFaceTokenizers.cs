using System.Text.Json;
using NextToken.Tokenizers.Bpe;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>Loads Hugging Face <c>tokenizer.json</c> files (with <c>tokenizer_config.json</c> beside them when present).</summary>
public static class HuggingFaceTokenizers
{
    /// <summary>
    /// Loads a <c>tokenizer.json</c>. Plain byte-level BPE pipelines (Llama 3, GPT-2 style) come back as the fast
    /// <see cref="ByteLevelBpeTokenizer"/>; everything else as a <see cref="HuggingFaceTokenizer"/>.
    /// </summary>
    /// <exception cref="FileFormatException">The file is missing, empty, malformed or uses an unsupported component.</exception>
    public static Tokenizer Load(string tokenizerJsonPath)
    {
        ArgumentNullException.ThrowIfNull(tokenizerJsonPath);
        var data = Gpt2BpeFiles.ReadFile(tokenizerJsonPath);
        var f = new JsonFields(tokenizerJsonPath);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(data, new JsonDocumentOptions { MaxDepth = 256 }); }
        catch (JsonException e) { throw f.Error($"malformed JSON: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || f.Optional(root, "model") is not { ValueKind: JsonValueKind.Object } modelJson)
                throw f.Error("not a tokenizer.json (no 'model' object)");
            var config = ReadConfig(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tokenizerJsonPath))!, "tokenizer_config.json"));
            var name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(tokenizerJsonPath))) ?? tokenizerJsonPath;
            var added = ReadAddedTokens(root, f);
            var model = TokenModel.Read(modelJson, f);
            var normalizer = Normalizer.Read(f.Optional(root, "normalizer"), f);
            var preTokenizer = PreTokenizer.Read(f.Optional(root, "pre_tokenizer"), f);
            var decoder = TokenDecoder.Read(f.Optional(root, "decoder"), f);
            var (prefix, suffix) = ReadPostProcessor(f.Optional(root, "post_processor"), f, added, model);
            if (f.Optional(root, "post_processor") is null && config is not null)
            {
                if (config.AddBos && config.Names.Bos is { } bos && Lookup(bos, added, model) is { } bosId) prefix = [bosId];
                if (config.AddEos && config.Names.Eos is { } eos && Lookup(eos, added, model) is { } eosId) suffix = [eosId];
            }
            var names = config?.Names ?? new SpecialTokenNames(null, null, null, (model as BpeModel)?.UnknownToken);
            if (TryByteLevelFastPath(name, tokenizerJsonPath, normalizer, preTokenizer, model, decoder, added, prefix, suffix, names) is { } fast)
                return fast;
            return new HuggingFaceTokenizer(name, normalizer, preTokenizer, model, decoder, added, prefix, suffix, names);
        }
    }

    private static ByteLevelBpeTokenizer? TryByteLevelFastPath(string name, string path, Normalizer? normalizer, PreTokenizer? preTokenizer,
        TokenModel model, TokenDecoder decoder, List<AddedToken> added, int[] prefix, int[] suffix, SpecialTokenNames names)
    {
        if (normalizer is not null || model is not BpeModel bpe || !decoder.IsByteWise || decoder.StripsLeadingSpace) return null;
        if (bpe.UnknownToken is not null || bpe.ByteFallback || bpe.ContinuingSubwordPrefix is not null || bpe.EndOfWordSuffix is not null) return null;
        if (added.Any(a => a.LeftStrip || a.RightStrip || a.SingleWord || (a.Normalized && !a.Special))) return null;
        PreTokenization.TextSplitter? splitter = preTokenizer switch
        {
            ByteLevelPreTokenizer { AddPrefixSpace: false, UseRegex: true } => PreTokenization.Gpt2Splitter.Instance,
            SequencePreTokenizer { Steps: [SplitterPreTokenizer split, ByteLevelPreTokenizer { AddPrefixSpace: false, UseRegex: false }] } => split.Splitter,
            _ => null,
        };
        if (splitter is null) return null;
        int? Id(string? s) => s is null ? null : Lookup(s, added, bpe);
        return Gpt2BpeFiles.Create(name, bpe.Vocab, bpe.Pieces, [], path, splitter,
            added.Where(a => a.Special).ToDictionary(a => a.Content, a => a.Id),
            added.Where(a => !a.Special).ToDictionary(a => a.Content, a => a.Id),
            eot: Id(names.Eos), wholePieceFirst: bpe.IgnoreMerges, prefixIds: prefix, suffixIds: suffix,
            bos: Id(names.Bos), pad: Id(names.Pad), unk: Id(names.Unknown), mergeTable: bpe.Merges);
    }

    private static int? Lookup(string piece, List<AddedToken> added, TokenModel model) =>
        added.FirstOrDefault(a => a.Content == piece)?.Id ?? model.Find(piece);

    private static List<AddedToken> ReadAddedTokens(JsonElement root, JsonFields f)
    {
        var list = new List<AddedToken>();
        if (f.Optional(root, "added_tokens") is not { } tokens) return list;
        if (tokens.ValueKind != JsonValueKind.Array) throw f.Error("'added_tokens' should be an array");
        foreach (var t in tokens.EnumerateArray())
        {
            var id = f.Int(t, "id", -1, "added_tokens[]");
            var content = f.String(t, "content", "added_tokens[]");
            if (id < 0 || string.IsNullOrEmpty(content)) throw f.Error("an added token has no id or no content");
            list.Add(new AddedToken(id, content, f.Bool(t, "special", false, "added_tokens[]"), f.Bool(t, "lstrip", false, "added_tokens[]"),
                f.Bool(t, "rstrip", false, "added_tokens[]"), f.Bool(t, "single_word", false, "added_tokens[]"), f.Bool(t, "normalized", true, "added_tokens[]")));
        }
        return list;
    }

    /// <summary>The ids the post-processor puts before and after a single sequence.</summary>
    private static (int[] Prefix, int[] Suffix) ReadPostProcessor(JsonElement? element, JsonFields f, List<AddedToken> added, TokenModel model)
    {
        if (element is not { } e) return ([], []);
        var type = f.Type(e, "post_processor");
        switch (type)
        {
            case "ByteLevel": return ([], []);
            case "Sequence":
            {
                var prefix = new List<int>();
                var suffix = new List<int>();
                foreach (var p in f.Array(e, "processors", type).EnumerateArray())
                {
                    var (a, b) = ReadPostProcessor(p, f, added, model);
                    prefix.AddRange(a);
                    suffix.AddRange(b);
                }
                return (prefix.ToArray(), suffix.ToArray());
            }
            case "BertProcessing" or "RobertaProcessing":
            {
                int IdOf(string field) => f.Optional(e, field) is { ValueKind: JsonValueKind.Array } a && a.GetArrayLength() == 2 && a[1].TryGetInt32(out var id)
                    ? id : throw f.Error($"post_processor.{field} should be [token, id]");
                return ([IdOf("cls")], [IdOf("sep")]);
            }
            case "TemplateProcessing":
            {
                var specials = f.Optional(e, "special_tokens");
                var prefix = new List<int>();
                var suffix = new List<int>();
                var seenSequence = false;
                foreach (var item in f.Array(e, "single", type).EnumerateArray())
                {
                    if (f.Optional(item, "Sequence") is not null) { seenSequence = true; continue; }
                    var name = f.Optional(item, "SpecialToken") is { } st ? f.String(st, "id", "post_processor.single[]") : null;
                    if (name is null) throw f.Error("post_processor.single entries should be Sequence or SpecialToken");
                    var ids = specials is { } sp && f.Optional(sp, name) is { } entry
                        ? f.Array(entry, "ids", $"post_processor.special_tokens.{name}").EnumerateArray().Select(x => x.GetInt32()).ToArray()
                        : Lookup(name, added, model) is { } one ? [one] : throw f.Error($"post_processor uses '{name}', which has no id");
                    (seenSequence ? suffix : prefix).AddRange(ids);
                }
                return (prefix.ToArray(), suffix.ToArray());
            }
            default:
                throw f.Error($"post_processor type '{type}' is not supported");
        }
    }

    private sealed record Config(bool AddBos, bool AddEos, SpecialTokenNames Names);

    /// <summary><c>add_bos_token</c>/<c>add_eos_token</c> of a <c>tokenizer_config.json</c>, null where the file or the field is absent
    /// (used for folders that carry a SentencePiece <c>tokenizer.model</c> instead of a <c>tokenizer.json</c>).</summary>
    internal static (bool? AddBos, bool? AddEos) ReadAddFlags(string path)
    {
        if (!File.Exists(path)) return (null, null);
        var f = new JsonFields(path);
        try
        {
            using var doc = JsonDocument.Parse(Gpt2BpeFiles.ReadFile(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw f.Error("expected a JSON object");
            bool? Flag(string field) => f.Optional(root, field) is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;
            return (Flag("add_bos_token"), Flag("add_eos_token"));
        }
        catch (JsonException e) { throw f.Error($"malformed JSON: {e.Message}"); }
    }

    /// <summary>Reads <c>tokenizer_config.json</c> when it exists: add_bos_token/add_eos_token and the special tokens' text.</summary>
    private static Config? ReadConfig(string path)
    {
        if (!File.Exists(path)) return null;
        var f = new JsonFields(path);
        try
        {
            using var doc = JsonDocument.Parse(Gpt2BpeFiles.ReadFile(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw f.Error("expected a JSON object");
            string? Token(string field) => f.Optional(root, field) switch
            {
                { ValueKind: JsonValueKind.String } s => s.GetString(),
                { ValueKind: JsonValueKind.Object } o => f.String(o, "content", field),
                _ => null,
            };
            return new Config(f.Bool(root, "add_bos_token", false, "config"), f.Bool(root, "add_eos_token", false, "config"),
                new SpecialTokenNames(Token("bos_token"), Token("eos_token"), Token("pad_token"), Token("unk_token")));
        }
        catch (JsonException e) { throw f.Error($"malformed JSON: {e.Message}"); }
    }
}
