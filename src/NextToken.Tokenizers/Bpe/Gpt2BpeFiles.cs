using System.Text;
using System.Text.Json;
using NextToken.Tokenizers.PreTokenization;

namespace NextToken.Tokenizers.Bpe;

/// <summary>
/// Loads GPT-2 style byte-level BPE files: <c>vocab.json</c> (display piece → id, pieces written in
/// <see cref="ByteLevelAlphabet"/>) and <c>merges.txt</c> (one <c>left right</c> pair per line, earliest line merges first).
/// </summary>
public static class Gpt2BpeFiles
{
    /// <summary>Loads <c>vocab.json</c> and <c>merges.txt</c>; <c>&lt;|endoftext|&gt;</c>, when present, is the special BOS/EOS token.</summary>
    /// <exception cref="FileFormatException">A file is missing, empty or malformed.</exception>
    public static ByteLevelBpeTokenizer Load(string vocabPath, string mergesPath)
    {
        ArgumentNullException.ThrowIfNull(vocabPath);
        ArgumentNullException.ThrowIfNull(mergesPath);
        var vocab = ReadVocab(vocabPath);
        var merges = ReadMerges(mergesPath);
        var pieces = BuildPieces(vocab, vocabPath);
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        if (vocab.TryGetValue("<|endoftext|>", out var eot)) specials["<|endoftext|>"] = eot;
        return Create(Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(vocabPath))) ?? "gpt2", vocab, pieces, merges, mergesPath,
            Gpt2Splitter.Instance, specials, new Dictionary<string, int>(), eot: specials.Count > 0 ? eot : null);
    }

    /// <summary>Reads <c>vocab.json</c>: a JSON object from piece to id.</summary>
    internal static Dictionary<string, int> ReadVocab(string path)
    {
        byte[] data = ReadFile(path);
        try
        {
            using var doc = JsonDocument.Parse(data);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new FileFormatException("tokenizer", path, "expected a JSON object from token to id");
            var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out var id) || id < 0 || id > 50_000_000)
                    throw new FileFormatException("tokenizer", path, $"token '{p.Name}' has no valid id");
                vocab[p.Name] = id;
            }
            if (vocab.Count == 0) throw new FileFormatException("tokenizer", path, "the vocabulary is empty");
            return vocab;
        }
        catch (JsonException e) { throw new FileFormatException("tokenizer", path, $"malformed JSON: {e.Message}", e); }
    }

    /// <summary>Reads <c>merges.txt</c>, skipping the <c>#version</c> line.</summary>
    internal static List<(string Left, string Right)> ReadMerges(string path)
    {
        var text = Encoding.UTF8.GetString(ReadFile(path));
        var merges = new List<(string, string)>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            var space = line.IndexOf(' ');
            if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
                throw new FileFormatException("tokenizer", path, $"line {lineNumber}: expected two tokens separated by one space");
            merges.Add((line[..space], line[(space + 1)..]));
        }
        return merges;
    }

    internal static byte[] ReadFile(string path)
    {
        try
        {
            var data = File.ReadAllBytes(path);
            if (data.Length == 0) throw new FileFormatException("tokenizer", path, "the file is empty");
            return data;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException("tokenizer", path, e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message, e);
        }
    }

    private static string?[] BuildPieces(Dictionary<string, int> vocab, string path)
    {
        var pieces = new string?[vocab.Values.Max() + 1];
        foreach (var (piece, id) in vocab)
        {
            if (pieces[id] is not null) throw new FileFormatException("tokenizer", path, $"id {id} is given to both '{pieces[id]}' and '{piece}'");
            pieces[id] = piece;
        }
        return pieces;
    }

    /// <summary>Builds a byte-level BPE from display pieces and merges (shared by vocab.json, tokenizer.json and GGUF);
    /// <paramref name="mergeTable"/>, when the caller already built it from <paramref name="mergeList"/>, is used as is.</summary>
    internal static ByteLevelBpeTokenizer Create(string name, Dictionary<string, int> vocab, string?[] pieces, List<(string Left, string Right)> mergeList,
        string path, TextSplitter splitter, IReadOnlyDictionary<string, int> specials, IReadOnlyDictionary<string, int> alwaysMatched,
        int? eot = null, bool wholePieceFirst = false, int[]? prefixIds = null, int[]? suffixIds = null, int? bos = null, int? pad = null, int? unk = null,
        MergeTable? mergeTable = null)
    {
        var size = pieces.Length;
        foreach (var id in specials.Values.Concat(alwaysMatched.Values)) size = Math.Max(size, id + 1);
        var tokenBytes = new byte[]?[size];
        var display = new string?[size];
        for (var id = 0; id < pieces.Length; id++)
        {
            if (pieces[id] is not { } piece) continue;
            display[id] = piece;
            tokenBytes[id] = specials.ContainsKey(piece) || alwaysMatched.ContainsKey(piece)
                ? Encoding.UTF8.GetBytes(piece)
                : ByteLevelAlphabet.Decode(piece) ?? Encoding.UTF8.GetBytes(piece);
        }
        foreach (var (text, id) in specials.Concat(alwaysMatched))
        {
            tokenBytes[id] = Encoding.UTF8.GetBytes(text);
            display[id] = text;
        }
        var byteToId = new int[256];
        for (var b = 0; b < 256; b++)
        {
            if (!vocab.TryGetValue(ByteLevelAlphabet.ToChar((byte)b).ToString(), out byteToId[b]))
                throw new FileFormatException("tokenizer", path, $"the byte-level alphabet is incomplete: no token for byte 0x{b:X2} ('{ByteLevelAlphabet.ToChar((byte)b)}')");
        }
        var merges = mergeTable ?? BuildMergeTable(vocab, mergeList, path);
        return new ByteLevelBpeTokenizer(new ByteLevelBpeDefinition
        {
            Name = name,
            TokenBytes = tokenBytes,
            DisplayPieces = display,
            Merges = merges,
            ByteToId = byteToId,
            Splitter = splitter,
            WholePieceFirst = wholePieceFirst,
            SpecialTokens = specials,
            AlwaysMatchedTokens = alwaysMatched,
            PrefixIds = prefixIds ?? [],
            SuffixIds = suffixIds ?? [],
            BosTokenId = bos ?? eot,
            EosTokenId = eot,
            PadTokenId = pad,
            UnknownTokenId = unk,
        });
    }

    private static MergeTable BuildMergeTable(Dictionary<string, int> vocab, List<(string Left, string Right)> mergeList, string path)
    {
        var merges = new MergeTable(mergeList.Count);
        for (var rank = 0; rank < mergeList.Count; rank++)
        {
            var (left, right) = mergeList[rank];
            if (!vocab.TryGetValue(left, out var l) || !vocab.TryGetValue(right, out var r) || !vocab.TryGetValue(left + right, out var merged))
                throw new FileFormatException("tokenizer", path, $"merge {rank + 1} ('{left} {right}') uses a token that is not in the vocabulary");
            merges.Add(l, r, rank, merged);
        }
        return merges;
    }
}
