using System.Runtime.InteropServices;
using System.Text;
using NextToken.Gguf;
using NextToken.Numerics;

namespace NextToken.Files;

/// <summary>
/// Writes GGUF v3 files: metadata of every value type, then tensors, each aligned. The metadata type follows the
/// .NET type of the value (<c>uint</c> → UInt32, <c>float[]</c> → array of Float32, <c>object[]</c> of arrays → nested arrays).
/// </summary>
/// <example><code>
/// var writer = new GgufWriter();
/// writer.AddMetadata("general.architecture", "llama");
/// writer.AddMetadata("llama.block_count", 2u);
/// writer.AddTensor("output_norm.weight", new float[64], 64);
/// writer.Write("tiny.gguf");
/// </code></example>
public sealed class GgufWriter
{
    private readonly List<KeyValuePair<string, object>> _metadata = [];
    private readonly List<(string Name, TensorType Type, long[] Dimensions, byte[] Data)> _tensors = [];

    /// <summary>Creates a writer whose data section and tensors are aligned to <paramref name="alignment"/> bytes.</summary>
    public GgufWriter(int alignment = GgufFile.DefaultAlignment)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "the alignment must be a power of two");
        Alignment = alignment;
    }

    /// <summary>The alignment of the data section and of each tensor.</summary>
    public int Alignment { get; }

    /// <summary>Adds a key; the value is a string, bool, an integer or float type, or an array of those (object[] for nested arrays).</summary>
    public GgufWriter AddMetadata(string key, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        GgufHeaderWriter.TypeOf(value, nameof(value));
        if (_metadata.Any(kv => kv.Key == key)) throw new ArgumentException($"metadata '{key}' was already added", nameof(key));
        _metadata.Add(new(key, value));
        return this;
    }

    /// <summary>Adds a tensor of any type from its raw bytes; <paramref name="dimensions"/> are in GGUF order (row length first).</summary>
    public GgufWriter AddTensor(string name, TensorType type, long[] dimensions, ReadOnlySpan<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (dimensions.Length is 0 or > 4) throw new ArgumentException("a tensor has 1 to 4 dimensions", nameof(dimensions));
        if (!TensorLayout.TryGetBlock(type, out _, out _)) throw new ArgumentOutOfRangeException(nameof(type), type, "unknown tensor type");
        var rowBytes = TensorLayout.RowBytes(type, dimensions[0]);
        if (rowBytes < 0) throw new ArgumentException($"rows of {dimensions[0]} elements are not whole {type} blocks", nameof(dimensions));
        var expected = dimensions.Skip(1).Aggregate(rowBytes, (a, d) => a * d);
        if (data.Length != expected) throw new ArgumentException($"tensor '{name}' needs {expected} bytes, got {data.Length}", nameof(data));
        if (_tensors.Any(t => t.Name == name)) throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        _tensors.Add((name, type, (long[])dimensions.Clone(), data.ToArray()));
        return this;
    }

    /// <summary>Adds an F32 tensor; <paramref name="dimensions"/> are in GGUF order (row length first).</summary>
    public GgufWriter AddTensor(string name, float[] values, params long[] dimensions) =>
        AddTensor(name, TensorType.F32, dimensions, MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>Writes the file.</summary>
    public void Write(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(stream);
    }

    /// <summary>Writes the file to a stream.</summary>
    public void Write(Stream stream)
    {
        var output = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        GgufHeaderWriter.WriteHeader(output, _metadata, _tensors.Select(t => (t.Name, t.Type, t.Dimensions, (long)t.Data.Length)).ToList(), Alignment);
        output.Flush();
        Pad(output, stream.Position);
        foreach (var (_, _, _, data) in _tensors)
        {
            output.Write(data);
            Pad(output, data.Length);
        }
        output.Flush();
    }

    private void Pad(BinaryWriter output, long written)
    {
        var padding = GgufFile.AlignUp(written, Alignment) - written;
        for (var i = 0; i < padding; i++) output.Write((byte)0);
    }
}
