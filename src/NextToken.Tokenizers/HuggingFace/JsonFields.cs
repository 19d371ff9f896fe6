using System.Text.Json;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>Typed reads of <c>tokenizer.json</c> fields that fail with a <see cref="FileFormatException"/> naming the file and field.</summary>
internal readonly struct JsonFields(string path)
{
    public string Path { get; } = path;

    public FileFormatException Error(string problem) => new("tokenizer", Path, problem);

    public string Type(JsonElement e, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()! : throw Error($"{where} has no 'type'");

    public JsonElement? Optional(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string? String(JsonElement e, string name, string where)
    {
        var v = Optional(e, name);
        if (v is null) return null;
        return v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : throw Error($"{where}.{name} should be a string");
    }

    public bool Bool(JsonElement e, string name, bool fallback, string where)
    {
        var v = Optional(e, name);
        if (v is null) return fallback;
        return v.Value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"{where}.{name} should be true or false"),
        };
    }

    public int Int(JsonElement e, string name, int fallback, string where)
    {
        var v = Optional(e, name);
        if (v is null) return fallback;
        return v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt32(out var i) ? i : throw Error($"{where}.{name} should be an integer");
    }

    public JsonElement Array(JsonElement e, string name, string where)
    {
        var v = Optional(e, name);
        return v is { ValueKind: JsonValueKind.Array } a ? a : throw Error($"{where}.{name} should be an array");
    }

    /// <summary>A <c>{"String": "…"}</c> or <c>{"Regex": "…"}</c> pattern: the regex text and whether it was a literal.</summary>
    public (string Pattern, bool IsLiteral) Pattern(JsonElement e, string where)
    {
        var p = Optional(e, "pattern") ?? throw Error($"{where} has no 'pattern'");
        if (p.ValueKind == JsonValueKind.String) return (p.GetString()!, true);
        if (String(p, "String", where) is { } s) return (s, true);
        if (String(p, "Regex", where) is { } r) return (r, false);
        throw Error($"{where}.pattern should hold 'String' or 'Regex'");
    }
}
