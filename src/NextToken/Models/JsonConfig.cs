using System.Text.Json;

namespace NextToken.Models;

/// <summary>Typed, null-tolerant reads from a JSON configuration object, with errors that name the file and key.</summary>
internal sealed class JsonConfig : IDisposable
{
    private readonly JsonDocument _document;
    private readonly string _kind;

    private JsonConfig(JsonDocument document, string path, string kind)
    {
        _document = document;
        Path = path;
        _kind = kind;
    }

    public string Path { get; }

    public static JsonConfig Open(string path, string kind)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException(kind, path, e is FileNotFoundException ? "no such file" : e.Message, e);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new FileFormatException(kind, path, $"not valid JSON ({e.Message})", e);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new FileFormatException(kind, path, "not a JSON object");
        }
        return new JsonConfig(document, path, kind);
    }

    public FileFormatException Error(string problem) => new(_kind, Path, problem);

    public JsonElement? Element(string key) =>
        _document.RootElement.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string? String(string key) => Element(key) is { } v
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw Error($"'{key}' should be a string")
        : null;

    public int? Int(string key) => Element(key) is { } v
        ? v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw Error($"'{key}' should be an integer, not {v.GetRawText()}")
        : null;

    public double? Number(string key) => Element(key) is { } v
        ? v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Error($"'{key}' should be a number, not {v.GetRawText()}")
        : null;

    public bool? Bool(string key) => Element(key) is { } v
        ? v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Error($"'{key}' should be true or false")
        : null;

    /// <summary>An integer or a list of integers (<c>eos_token_id</c>).</summary>
    public IReadOnlyList<int> IntOrList(string key)
    {
        if (Element(key) is not { } v) return [];
        if (v.ValueKind == JsonValueKind.Number) return [Int(key)!.Value];
        if (v.ValueKind != JsonValueKind.Array) throw Error($"'{key}' should be an integer or a list of integers");
        var list = new List<int>();
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var i)) throw Error($"'{key}' should hold integers");
            list.Add(i);
        }
        return list;
    }

    public IReadOnlyList<string> Strings(string key)
    {
        if (Element(key) is not { } v) return [];
        if (v.ValueKind != JsonValueKind.Array) throw Error($"'{key}' should be a list of strings");
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Error($"'{key}' should hold strings")).ToList();
    }

    public void Dispose() => _document.Dispose();
}
