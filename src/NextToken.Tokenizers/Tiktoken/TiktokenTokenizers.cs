using System.Text;
using System.Text.Json;
using NextToken.Tokenizers.Bpe;
using NextToken.Tokenizers.PreTokenization;

namespace NextToken.Tokenizers.Tiktoken;

/// <summary>
/// Loads tiktoken encodings from their <c>.tiktoken</c> rank files (one <c>base64-bytes rank</c> line per token).
/// </summary>
/// <example><code>
/// var cl100k = TiktokenTokenizers.ForEncoding("cl100k_base", "tokenizers/tiktoken");
/// var gpt4o = TiktokenTokenizers.ForModel("gpt-4o", "tokenizers/tiktoken");   // o200k_base
/// </code></example>
public static class TiktokenTokenizers
{
    /// <summary>
    /// Loads a rank file. The split pattern and special tokens come from a <c>.json</c> file of the same name beside
    /// it (<c>pat_str</c>, <c>special_tokens</c>) when there is one, else from <paramref name="encoding"/>, else from the
    /// standard encoding the file is named after.
    /// </summary>
    /// <exception cref="FileFormatException">The file is missing, empty or malformed, or its encoding is unknown.</exception>
    public static ByteLevelBpeTokenizer Load(string rankFilePath, TiktokenEncoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(rankFilePath);
        var baseName = Path.GetFileNameWithoutExtension(rankFilePath);
        var jsonPath = Path.ChangeExtension(rankFilePath, ".json");
        string pattern;
        IReadOnlyDictionary<string, int> specials;
        string name;
        if (encoding is null && File.Exists(jsonPath))
        {
            (pattern, specials) = ReadDescription(jsonPath);
            name = baseName;
        }
        else
        {
            encoding ??= TiktokenEncoding.All.GetValueOrDefault(baseName)
                ?? throw new FileFormatException("tokenizer", rankFilePath,
                    $"unknown tiktoken encoding '{baseName}' and no '{Path.GetFileName(jsonPath)}' beside it giving its split pattern");
            (pattern, specials, name) = (encoding.Pattern, encoding.SpecialTokens, encoding.Name);
        }
        var ranks = ReadRanks(rankFilePath);
        return Build(name, ranks, pattern, specials, rankFilePath);
    }

    /// <summary>A standard encoding (<c>gpt2</c>, <c>r50k_base</c>, <c>p50k_base</c>, <c>p50k_edit</c>, <c>cl100k_base</c>,
    /// <c>o200k_base</c>) from the folder that holds its rank file.</summary>
    public static ByteLevelBpeTokenizer ForEncoding(string name, string directory)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(directory);
        if (!TiktokenEncoding.All.TryGetValue(name, out var encoding))
            throw new ArgumentException($"unknown tiktoken encoding '{name}' (known: {string.Join(", ", TiktokenEncoding.All.Keys)})", nameof(name));
        var path = Path.Combine(directory, encoding.RankFileName + ".tiktoken");
        var ranks = ReadRanks(path);
        return Build(encoding.Name, ranks, encoding.Pattern, encoding.SpecialTokens, path);
    }

    /// <summary>The encoding an OpenAI model uses (<c>gpt-4o</c>, <c>gpt-4</c>, <c>text-davinci-003</c>…), from the folder of rank files.</summary>
    public static ByteLevelBpeTokenizer ForModel(string modelName, string directory)
    {
        var encoding = TiktokenEncoding.NameForModel(modelName)
            ?? throw new ArgumentException($"no tiktoken encoding is known for model '{modelName}'", nameof(modelName));
        return ForEncoding(encoding, directory);
    }

    /// <summary>Reads a <c>.tiktoken</c> file: token bytes indexed by rank.</summary>
    internal static byte[]?[] ReadRanks(string path)
    {
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException("tokenizer", path, e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message, e);
        }
        if (data.Length == 0) throw new FileFormatException("tokenizer", path, "the file is empty");
        var tokens = new List<byte[]?>();
        var lineNumber = 0;
        var buffer = new byte[1024];
        foreach (var raw in data.AsSpan().Split((byte)'\n'))
        {
            lineNumber++;
            var line = data.AsSpan()[raw].TrimEnd((byte)'\r');
            if (line.IsEmpty) continue;
            var space = line.IndexOf((byte)' ');
            if (space <= 0) throw new FileFormatException("tokenizer", path, $"line {lineNumber}: expected 'base64-token rank'");
            if (!System.Buffers.Text.Utf8Parser.TryParse(line[(space + 1)..], out int rank, out var consumed)
                || consumed != line.Length - space - 1 || rank < 0 || rank > 10_000_000)
                throw new FileFormatException("tokenizer", path, $"line {lineNumber}: the rank is not a non-negative integer");
            if (buffer.Length < space) buffer = new byte[space];
            if (System.Buffers.Text.Base64.DecodeFromUtf8(line[..space], buffer, out var read, out var written) != System.Buffers.OperationStatus.Done
                || read != space || written == 0)
                throw new FileFormatException("tokenizer", path, $"line {lineNumber}: the token is not valid base64");
            while (tokens.Count <= rank) tokens.Add(null);
            if (tokens[rank] is not null) throw new FileFormatException("tokenizer", path, $"line {lineNumber}: rank {rank} appears twice");
            tokens[rank] = buffer.AsSpan(0, written).ToArray();
        }
        if (tokens.Count == 0) throw new FileFormatException("tokenizer", path, "the file holds no tokens");
        return tokens.ToArray();
    }

    private static (string Pattern, IReadOnlyDictionary<string, int> Specials) ReadDescription(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("pat_str", out var pat) || pat.ValueKind != JsonValueKind.String)
                throw new FileFormatException("tokenizer", path, "'pat_str' (a string) is missing");
            var specials = new Dictionary<string, int>(StringComparer.Ordinal);
            if (root.TryGetProperty("special_tokens", out var st) && st.ValueKind == JsonValueKind.Object)
                foreach (var p in st.EnumerateObject())
                    specials[p.Name] = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var id) && id >= 0
                        ? id : throw new FileFormatException("tokenizer", path, $"special token '{p.Name}' has no valid id");
            return (pat.GetString()!, specials);
        }
        catch (JsonException e) { throw new FileFormatException("tokenizer", path, $"malformed JSON: {e.Message}", e); }
        catch (IOException e) { throw new FileFormatException("tokenizer", path, e.Message, e); }
    }

    /// <summary>Builds the tokenizer: each token's merge rule is every split of it into two tokens, at the token's own rank
    /// (derived when a pair is met, see <see cref="MergeTable.FromTokenBytes"/>).</summary>
    internal static ByteLevelBpeTokenizer Build(string name, byte[]?[] ranks, string pattern, IReadOnlyDictionary<string, int> specials, string path)
    {
        var size = ranks.Length;
        foreach (var id in specials.Values) size = Math.Max(size, id + 1);
        var tokenBytes = new byte[]?[size];
        Array.Copy(ranks, tokenBytes, ranks.Length);
        var table = new ByteSequenceTable(ranks);
        var byteToId = new int[256];
        for (var b = 0; b < 256; b++)
        {
            byteToId[b] = table.Find([(byte)b]);
            if (byteToId[b] < 0) throw new FileFormatException("tokenizer", path, $"byte 0x{b:X2} has no token, so some text could not be encoded");
        }
        var merges = MergeTable.FromTokenBytes(table, ranks);
        foreach (var (text, id) in specials)
        {
            if (id < ranks.Length && ranks[id] is not null)
                throw new FileFormatException("tokenizer", path, $"special token '{text}' has id {id}, which is already an ordinary token");
            tokenBytes[id] = Encoding.UTF8.GetBytes(text);
        }
        TextSplitter splitter;
        try { splitter = SplitPatterns.For(pattern); }
        catch (ArgumentException e) { throw new FileFormatException("tokenizer", path, $"invalid split pattern: {e.Message}", e); }
        return new ByteLevelBpeTokenizer(new ByteLevelBpeDefinition
        {
            Name = name,
            TokenBytes = tokenBytes,
            Merges = merges,
            ByteToId = byteToId,
            Splitter = splitter,
            WholePieceFirst = true,
            WholePieceTable = table,
            SpecialTokens = specials,
            EosTokenId = specials.TryGetValue(TiktokenEncoding.EndOfText, out var eot) ? eot : null,
        });
    }
}
