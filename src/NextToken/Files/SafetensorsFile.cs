using System.Buffers.Binary;
using System.Text.Json;
using NextToken.Numerics;

namespace NextToken.Files;

/// <summary>
/// One safetensors file: an 8-byte little-endian header length, a JSON header (per tensor: dtype, shape,
/// data_offsets; optional <c>__metadata__</c> strings) and the data, mapped into memory. Every tensor is checked
/// at open, so reading one can never run past the end.
/// </summary>
/// <example><code>
/// using var file = SafetensorsFile.Open("model.safetensors");
/// foreach (var t in file.Tensors) Console.WriteLine($"{t.Name} {t.DType} [{string.Join(", ", t.Shape)}]");
/// </code></example>
public sealed unsafe class SafetensorsFile : ITensorSource
{
    /// <summary>Largest JSON header accepted (the format's own limit is 100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private readonly MappedFile _file;
    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;

    private SafetensorsFile(MappedFile file, Dictionary<string, SafetensorsTensorInfo> byName, IReadOnlyDictionary<string, string> metadata)
    {
        _file = file;
        _byName = byName;
        Metadata = metadata;
    }

    /// <summary>The file, as given.</summary>
    public string Path => _file.Path;

    /// <summary>The header's <c>__metadata__</c> strings (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor, ordered by position in the file.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors => _byName.Values.OrderBy(t => t.Offset).ToList();

    /// <summary>Bytes per element of a dtype, or 0 when the dtype is unknown.</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    /// <summary>The tensor type NextToken computes with for a dtype (F32, F16, BF16), or null.</summary>
    public static TensorType? ToTensorType(string dtype) => dtype switch
    {
        "F32" => TensorType.F32,
        "F16" => TensorType.F16,
        "BF16" => TensorType.BF16,
        _ => null,
    };

    /// <summary>Opens and validates a safetensors file.</summary>
    /// <exception cref="FileFormatException">Missing, truncated, a malformed header, or a tensor that does not fit.</exception>
    public static SafetensorsFile Open(string path)
    {
        var file = MappedFile.Open(path, "safetensors file");
        try
        {
            var (tensors, metadata) = ReadHeader(file);
            return new SafetensorsFile(file, tensors, metadata);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The entry for <paramref name="name"/>, or null.</summary>
    public SafetensorsTensorInfo? FindTensor(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The raw bytes of a tensor (valid until the file is disposed).</summary>
    public ReadOnlySpan<byte> GetBytes(SafetensorsTensorInfo tensor)
    {
        if (tensor.ByteLength > int.MaxValue) throw new NotSupportedException($"tensor '{tensor.Name}' is larger than 2 GiB");
        return _file.Span(tensor.Offset, (int)tensor.ByteLength);
    }

    IEnumerable<string> ITensorSource.TensorNames => _byName.Keys;

    bool ITensorSource.TryGetTensor(string name, out TensorView tensor)
    {
        if (!_byName.TryGetValue(name, out var info))
        {
            tensor = default;
            return false;
        }
        var type = ToTensorType(info.DType)
                   ?? throw new FileFormatException("safetensors file", Path, $"tensor '{name}' has dtype {info.DType}; models need F32, F16 or BF16");
        tensor = new TensorView(name, type, info.Shape, (nint)(_file.Pointer + info.Offset), info.ByteLength, _file);
        return true;
    }

    public void Dispose() => _file.Dispose();

    private static (Dictionary<string, SafetensorsTensorInfo>, IReadOnlyDictionary<string, string>) ReadHeader(MappedFile file)
    {
        FileFormatException Error(string problem) => new("safetensors file", file.Path, problem);
        if (file.Length < 8) throw Error(file.Length == 0 ? "the file is empty" : "truncated: shorter than the 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file.Span(0, 8));
        if (headerLength > (ulong)(file.Length - 8)) throw Error($"the header length {headerLength} runs past the end of the file ({file.Length} bytes)");
        if (headerLength > MaxHeaderLength) throw Error($"the header length {headerLength} is over the 100 MB limit");
        var dataStart = 8 + (long)headerLength;
        var dataLength = file.Length - dataStart;
        var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(file.Span(8, (int)headerLength).ToArray());
        }
        catch (JsonException e)
        {
            throw Error($"the header is not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Error("the header is not a JSON object");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw Error("__metadata__ is not an object");
                    foreach (var entry in property.Value.EnumerateObject())
                        metadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
                    continue;
                }
                var info = ReadTensor(property, dataStart, dataLength, Error);
                if (!tensors.TryAdd(info.Name, info)) throw Error($"tensor '{info.Name}' appears twice");
            }
        }
        return (tensors, metadata);
    }

    private static SafetensorsTensorInfo ReadTensor(JsonProperty property, long dataStart, long dataLength, Func<string, FileFormatException> error)
    {
        var name = property.Name;
        var entry = property.Value;
        if (entry.ValueKind != JsonValueKind.Object) throw error($"tensor '{name}' is not a JSON object");
        if (!entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw error($"tensor '{name}' has no dtype");
        var dtype = dtypeElement.GetString()!;
        var elementSize = ElementSize(dtype);
        if (elementSize == 0) throw error($"tensor '{name}' has unknown dtype '{dtype}'");
        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw error($"tensor '{name}' has no shape");
        var shape = new long[shapeElement.GetArrayLength()];
        long elements = 1;
        var index = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var size) || size < 0 || size > int.MaxValue)
                throw error($"tensor '{name}' has an invalid shape {shapeElement.GetRawText()}");
            shape[index++] = size;
            if (size != 0 && elements > dataLength / size) throw error($"tensor '{name}' of shape {shapeElement.GetRawText()} is larger than the file");
            elements *= size;
        }
        if (!entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end))
            throw error($"tensor '{name}' has no valid data_offsets");
        if (begin < 0 || end < begin || end > dataLength)
            throw error($"tensor '{name}' has data_offsets [{begin}, {end}] outside the data section of {dataLength} bytes");
        if (end - begin != elements * elementSize)
            throw error($"tensor '{name}' of shape {shapeElement.GetRawText()} and dtype {dtype} needs {elements * elementSize} bytes but data_offsets span {end - begin}");
        return new SafetensorsTensorInfo(name, dtype, shape, dataStart + begin, end - begin);
    }
}
