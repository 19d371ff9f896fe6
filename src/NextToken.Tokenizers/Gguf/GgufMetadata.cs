namespace NextToken.Gguf;

/// <summary>
/// The header and key/value metadata of a GGUF file (versions 2 and 3), without the tensor directory.
/// The tokenizer loader reads the embedded vocabulary (<c>tokenizer.ggml.*</c>) from here; the model loader
/// goes on from <see cref="TensorDirectoryOffset"/> to read the tensors.
/// </summary>
/// <example><code>
/// var meta = GgufMetadata.Read("stories260K.gguf");
/// string arch = meta.GetString("general.architecture");   // "llama"
/// </code></example>
public sealed class GgufMetadata
{
    /// <summary>"GGUF" read as a little-endian u32.</summary>
    public const uint Magic = 0x46554747;

    private readonly Dictionary<string, object> _values;
    private readonly string _kind;

    private GgufMetadata(string filePath, string kind, int version, long tensorCount, Dictionary<string, object> values, long tensorDirectoryOffset)
    {
        FilePath = filePath;
        _kind = kind;
        Version = version;
        TensorCount = tensorCount;
        _values = values;
        TensorDirectoryOffset = tensorDirectoryOffset;
    }

    public string FilePath { get; }
    public int Version { get; }
    public long TensorCount { get; }

    /// <summary>Where the tensor infos start: the byte after the last metadata value.</summary>
    public long TensorDirectoryOffset { get; }

    /// <summary>Every key and its value: a boxed scalar, a string, or a typed array (<c>string[]</c>, <c>float[]</c>, <c>int[]</c>…).</summary>
    public IReadOnlyDictionary<string, object> Values => _values;

    /// <summary>Reads the header and metadata of a GGUF file.</summary>
    /// <exception cref="FileFormatException">The file is missing, not GGUF, truncated or malformed.</exception>
    /// <param name="path">The file.</param>
    /// <param name="kind">What the caller is loading ("model", "tokenizer"), for error messages.</param>
    public static GgufMetadata Read(string path, string kind = "GGUF file")
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FileFormatException(kind, path, e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message, e);
        }
        using (stream)
            return Read(new GgufReader(stream, path, kind));
    }

    /// <summary>Reads the header and metadata from a reader positioned at the start of the file.</summary>
    public static GgufMetadata Read(GgufReader reader)
    {
        if (reader.Length < 4) throw reader.Error(reader.Length == 0 ? "the file is empty" : "not a GGUF file (too short)");
        if (reader.ReadUInt32("magic") != Magic) throw reader.Error("not a GGUF file (bad magic)");
        var version = reader.ReadUInt32("version");
        if (version is not (2 or 3))
            throw reader.Error($"GGUF version {version} is not supported (versions 2 and 3 are)");
        // Each tensor info and each key/value takes well over 8 bytes, so these counts are bounded by the file size.
        var tensorCount = reader.ReadCount("tensor count", reader.Length / 8);
        var kvCount = reader.ReadCount("metadata count", reader.Length / 8);
        var values = new Dictionary<string, object>((int)Math.Min(kvCount, 4096), StringComparer.Ordinal);
        for (long i = 0; i < kvCount; i++)
        {
            var key = reader.ReadString("metadata key");
            var type = (GgufValueType)reader.ReadUInt32($"type of '{key}'");
            values[key] = reader.ReadValue(type, key);
        }
        return new GgufMetadata(reader.FilePath, reader.Kind, (int)version, tensorCount, values, reader.Position);
    }

    /// <summary>True when the key is present.</summary>
    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>The raw value, or null.</summary>
    public object? Get(string key) => _values.GetValueOrDefault(key);

    /// <summary>A string value; throws a clear error when missing or of another type.</summary>
    public string GetString(string key) => GetString(key, null) ?? throw Missing(key, "a string");

    public string? GetString(string key, string? fallback) => _values.TryGetValue(key, out var v)
        ? v as string ?? throw WrongType(key, "a string", v)
        : fallback;

    /// <summary>Any integer-typed value as a long; throws when missing or not an integer.</summary>
    public long GetInteger(string key) => GetInteger(key, null) ?? throw Missing(key, "an integer");

    public long? GetInteger(string key, long? fallback)
    {
        if (!_values.TryGetValue(key, out var v)) return fallback;
        return v switch
        {
            byte b => b, sbyte sb => sb, ushort us => us, short s => s, uint ui => ui, int i => i,
            ulong ul when ul <= long.MaxValue => (long)ul, long l => l,
            _ => throw WrongType(key, "an integer", v),
        };
    }

    /// <summary>A float value (f32 or f64 in the file; integers are accepted too).</summary>
    public double? GetFloat(string key, double? fallback)
    {
        if (!_values.TryGetValue(key, out var v)) return fallback;
        return v switch
        {
            float f => f, double d => d,
            byte or sbyte or ushort or short or uint or int or ulong or long => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture),
            _ => throw WrongType(key, "a number", v),
        };
    }

    public bool? GetBool(string key, bool? fallback) => _values.TryGetValue(key, out var v)
        ? v as bool? ?? throw WrongType(key, "a bool", v)
        : fallback;

    /// <summary>A typed array (<c>string[]</c>, <c>float[]</c>, <c>int[]</c>…), or null when absent.</summary>
    public T[]? GetArray<T>(string key) => _values.TryGetValue(key, out var v)
        ? v as T[] ?? throw WrongType(key, $"an array of {typeof(T).Name}", v)
        : null;

    private FileFormatException Missing(string key, string what) =>
        new(_kind, FilePath, $"metadata '{key}' ({what}) is missing");

    private FileFormatException WrongType(string key, string what, object v) =>
        new(_kind, FilePath, $"metadata '{key}' should be {what} but is {Describe(v)}");

    private static string Describe(object v) => v switch
    {
        string => "a string",
        Array a => $"an array of {a.GetType().GetElementType()!.Name}",
        _ => $"a {v.GetType().Name}",
    };
}
