using System.Text;
using System.Text.Json;
using NextToken.Gguf;
using NextToken.Tokenizers.SentencePiece;

namespace NextToken.Conversion;

/// <summary>
/// Writes a tokenizer into GGUF metadata the way llama.cpp reads it: a SentencePiece vocabulary as
/// <c>tokenizer.ggml.model = "llama"</c> (tokens, scores, token types, special ids, flags), a GPT-2 byte-level BPE as
/// <c>"gpt2"</c> (tokens, merges, <c>tokenizer.ggml.pre = "gpt-2"</c>), or a synthetic SentencePiece-style vocabulary
/// of any size for models with random weights.
/// </summary>
internal static class TokenizerMetadata
{
    /// <summary>Reads a SentencePiece vocabulary from <c>tokenizer.model</c>, a llama2.c <c>tokenizer.bin</c>, or a GGUF file's <c>llama</c> vocabulary.</summary>
    public static SentencePieceOptions ReadSentencePiece(string path)
    {
        if (Directory.Exists(path))
        {
            var model = Path.Combine(path, "tokenizer.model");
            if (!File.Exists(model)) throw new FileFormatException("tokenizer", path, "the folder has no tokenizer.model");
            path = model;
        }
        if (!File.Exists(path)) throw new FileFormatException("tokenizer", path, "no such file");
        if (StartsWithGgufMagic(path))
        {
            GgufMetadata metadata;
            try { metadata = GgufMetadata.Read(path, "tokenizer"); }
            catch (FileFormatException e) when (e.Kind != "tokenizer") { throw new FileFormatException("tokenizer", path, e.Problem, e); }
            if (metadata.GetString("tokenizer.ggml.model", null) is { } kind and not "llama")
                throw new FileFormatException("tokenizer", path, $"the GGUF vocabulary is '{kind}'; only SentencePiece ('llama') vocabularies can be embedded");
            return GgufVocabularyReader.Read(metadata);
        }
        return path.EndsWith(".model", StringComparison.OrdinalIgnoreCase)
            ? SentencePieceModelReader.Read(path)
            : Llama2cVocabularyReader.Read(path);
    }

    /// <summary>
    /// A SentencePiece-style vocabulary of exactly <paramref name="size"/> entries: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>,
    /// <c>&lt;/s&gt;</c>, the 256 byte tokens <c>&lt;0x00&gt;</c>…<c>&lt;0xFF&gt;</c>, then filler pieces (single letters,
    /// then longer strings, some with the ▁ word marker) with decreasing scores, so any text encodes.
    /// </summary>
    public static SentencePieceOptions Synthetic(int size)
    {
        const int fixedEntries = 3 + 256;
        if (size < fixedEntries) throw new ArgumentOutOfRangeException(nameof(size), size, $"a synthetic vocabulary needs at least {fixedEntries} entries (3 special tokens and 256 byte tokens)");
        var pieces = new string[size];
        var scores = new float[size];
        var types = new PieceType[size];
        (pieces[0], types[0]) = ("<unk>", PieceType.Unknown);
        (pieces[1], types[1]) = ("<s>", PieceType.Control);
        (pieces[2], types[2]) = ("</s>", PieceType.Control);
        for (var b = 0; b < 256; b++) (pieces[3 + b], types[3 + b]) = ($"<0x{b:X2}>", PieceType.Byte);
        using var filler = FillerPieces().GetEnumerator();
        for (var i = fixedEntries; i < size; i++)
        {
            filler.MoveNext();
            pieces[i] = filler.Current;
            types[i] = PieceType.Normal;
            scores[i] = -(i - fixedEntries);
        }
        return new SentencePieceOptions
        {
            SourcePath = "synthetic",
            Pieces = pieces,
            Scores = scores,
            Types = types,
            ByteFallback = true,
            UnknownId = 0,
            BosId = 1,
            EosId = 2,
            AddBos = true,
            AddDummyPrefix = true,
        };
    }

    /// <summary>Distinct pieces in order of length over a small alphabet: "▁", "e", "t"…, "▁e", "ee"…</summary>
    private static IEnumerable<string> FillerPieces()
    {
        const string alphabet = "▁etaoinshrdlucmfwypvbgkqjxzETAOINSHRDLUCMFWYPVBGKQJXZ0123456789.,!?'\"-:;()";
        var current = new List<string> { "" };
        while (true)
        {
            var next = new List<string>(current.Count * alphabet.Length);
            foreach (var prefix in current)
                foreach (var c in alphabet)
                {
                    var piece = prefix + c;
                    next.Add(piece);
                    yield return piece;
                }
            current = next;
        }
    }

    /// <summary>Adds a SentencePiece vocabulary as llama.cpp's <c>llama</c> tokenizer metadata.</summary>
    public static void AddLlamaVocabulary(GgufStreamWriter writer, SentencePieceOptions vocabulary)
    {
        writer.AddMetadata("tokenizer.ggml.model", "llama");
        writer.AddMetadata("tokenizer.ggml.tokens", vocabulary.Pieces);
        writer.AddMetadata("tokenizer.ggml.scores", vocabulary.Scores);
        writer.AddMetadata("tokenizer.ggml.token_type", vocabulary.Types.Select(t => (int)t).ToArray());
        if (vocabulary.BosId is { } bos) writer.AddMetadata("tokenizer.ggml.bos_token_id", (uint)bos);
        if (vocabulary.EosId is { } eos) writer.AddMetadata("tokenizer.ggml.eos_token_id", (uint)eos);
        if (vocabulary.UnknownId is { } unknown) writer.AddMetadata("tokenizer.ggml.unknown_token_id", (uint)unknown);
        if (vocabulary.PadId is { } pad && pad >= 0) writer.AddMetadata("tokenizer.ggml.padding_token_id", (uint)pad);
        writer.AddMetadata("tokenizer.ggml.add_bos_token", vocabulary.AddBos);
        writer.AddMetadata("tokenizer.ggml.add_eos_token", vocabulary.AddEos);
        writer.AddMetadata("tokenizer.ggml.add_space_prefix", vocabulary.AddDummyPrefix);
    }

    /// <summary>
    /// Adds GPT-2's byte-level BPE (<c>vocab.json</c> + <c>merges.txt</c>) as llama.cpp's <c>gpt2</c> tokenizer metadata.
    /// Returns the vocabulary size. <c>&lt;|endoftext|&gt;</c> is the control token and serves as BOS and EOS.
    /// </summary>
    public static int AddGpt2Vocabulary(GgufStreamWriter writer, string vocabPath, string mergesPath, int? vocabularySize)
    {
        FileFormatException Error(string path, string problem) => new("tokenizer", path, problem);
        Dictionary<string, int> ids;
        try
        {
            ids = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabPath, Encoding.UTF8))
                ?? throw Error(vocabPath, "the file holds null");
        }
        catch (JsonException e) { throw Error(vocabPath, $"not a JSON object of token → id: {e.Message}"); }
        var count = Math.Max(vocabularySize ?? 0, ids.Count == 0 ? 0 : ids.Values.Max() + 1);
        var tokens = new string?[count];
        foreach (var (token, id) in ids)
        {
            if (id < 0 || id >= count) throw Error(vocabPath, $"token '{token}' has id {id}, outside 0..{count - 1}");
            if (tokens[id] is not null) throw Error(vocabPath, $"id {id} is given to both '{tokens[id]}' and '{token}'");
            tokens[id] = token;
        }
        var types = new int[count];
        for (var i = 0; i < count; i++)
        {
            // Ids the model has beyond the vocabulary (padding rows) get placeholder names, as llama.cpp's converter does.
            if (tokens[i] is null) { tokens[i] = $"[PAD{i}]"; types[i] = (int)PieceType.UserDefined; }
            else types[i] = tokens[i] == "<|endoftext|>" ? (int)PieceType.Control : (int)PieceType.Normal;
        }
        var merges = File.ReadLines(mergesPath, Encoding.UTF8)
            .Where((line, index) => !(index == 0 && line.StartsWith("#version", StringComparison.Ordinal)))
            .Where(line => line.Length > 0)
            .ToArray();
        foreach (var (line, index) in merges.Select((l, i) => (l, i)))
            if (line.Split(' ').Length != 2) throw Error(mergesPath, $"merge {index + 1} '{line}' is not two tokens separated by one space");
        writer.AddMetadata("tokenizer.ggml.model", "gpt2");
        writer.AddMetadata("tokenizer.ggml.pre", "gpt-2");
        writer.AddMetadata("tokenizer.ggml.tokens", tokens.Select(t => t!).ToArray());
        writer.AddMetadata("tokenizer.ggml.token_type", types);
        writer.AddMetadata("tokenizer.ggml.merges", merges);
        if (ids.TryGetValue("<|endoftext|>", out var endOfText))
        {
            writer.AddMetadata("tokenizer.ggml.bos_token_id", (uint)endOfText);
            writer.AddMetadata("tokenizer.ggml.eos_token_id", (uint)endOfText);
        }
        return count;
    }

    private static bool StartsWithGgufMagic(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        return stream.Read(magic) == 4 && BitConverter.ToUInt32(magic) == GgufMetadata.Magic;
    }
}
