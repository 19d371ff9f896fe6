using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using NextToken.Numerics;

namespace NextToken.Files;

/// <summary>
/// Writes a safetensors file: tensors as F32, F16 or BF16 (converted from floats, round to nearest even) or raw
/// bytes of any dtype, plus <c>__metadata__</c> strings. The header is padded with spaces to a multiple of 8 bytes.
/// </summary>
/// <example><code>
/// var writer = new SafetensorsWriter();
/// writer.Add("lm_head.weight", values, [vocab, dim], TensorType.BF16);
/// writer.Write("model.safetensors");
/// </code></example>
public sealed class SafetensorsWriter
{
    private readonly List<(string Name, string DType, long[] Shape, byte[] Data)> _tensors = [];

    /// <summary>The <c>__metadata__</c> strings to write.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal) { ["format"] = "pt" };

    /// <summary>Adds a tensor from floats, stored as <paramref name="type"/> (F32, F16 or BF16).</summary>
    public SafetensorsWriter Add(string name, ReadOnlySpan<float> values, long[] shape, TensorType type = TensorType.F32)
    {
        var data = type switch
        {
            TensorType.F32 => MemoryMarshal.AsBytes(values).ToArray(),
            TensorType.F16 => ToHalves(values),
            TensorType.BF16 => ToBFloat16(values),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "safetensors tensors are written as F32, F16 or BF16"),
        };
        return AddRaw(name, type.ToString(), shape, data);
    }

    /// <summary>Adds a tensor from its raw little-endian bytes with a safetensors dtype string ("F32", "I64"…).</summary>
    public SafetensorsWriter AddRaw(string name, string dtype, long[] shape, ReadOnlySpan<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved", nameof(name));
        var size = SafetensorsFile.ElementSize(dtype);
        if (size == 0) throw new ArgumentException($"unknown dtype '{dtype}'", nameof(dtype));
        var elements = shape.Aggregate(1L, (a, d) => a * d);
        if (shape.Any(d => d < 0) || elements * size != data.Length)
            throw new ArgumentException($"tensor '{name}' of shape [{string.Join(", ", shape)}] and dtype {dtype} needs {elements * size} bytes, got {data.Length}", nameof(data));
        if (_tensors.Any(t => t.Name == name)) throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        _tensors.Add((name, dtype, (long[])shape.Clone(), data.ToArray()));
        return this;
    }

    /// <summary>Writes the file.</summary>
    public void Write(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(stream);
    }

    /// <summary>Writes the file to a stream.</summary>
    public void Write(Stream stream)
    {
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (Metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in Metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, dtype, shape, data) in _tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (var d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += data.Length;
            }
            json.WriteEndObject();
        }
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (var (_, _, _, data) in _tensors) stream.Write(data);
        stream.Flush();
    }

    private static byte[] ToHalves(ReadOnlySpan<float> values)
    {
        var result = new Half[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = (Half)values[i];
        return MemoryMarshal.AsBytes(result.AsSpan()).ToArray();
    }

    private static byte[] ToBFloat16(ReadOnlySpan<float> values)
    {
        var result = new ushort[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = FloatConversion.ToBFloat16(values[i]);
        return MemoryMarshal.AsBytes(result.AsSpan()).ToArray();
    }
}
