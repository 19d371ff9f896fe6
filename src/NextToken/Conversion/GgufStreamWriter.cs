using System.Text;
using NextToken.Files;
using NextToken.Gguf;
using NextToken.Numerics;

namespace NextToken.Conversion;

/// <summary>
/// Writes a GGUF v3 file whose tensors are produced one after another instead of held in memory: the metadata and
/// the tensor directory are declared first (the directory needs only each tensor's type and dimensions), then
/// <c>WriteTensor</c> streams each tensor's bytes in the declared order. A model far larger than memory can
/// be written this way; <see cref="GgufWriter"/> remains the simple choice for small files.
/// </summary>
/// <example><code>
/// var plan = new GgufStreamWriter();
/// plan.AddMetadata("general.architecture", "llama");
/// plan.DeclareTensor("output_norm.weight", TensorType.F32, [64]);
/// using var stream = File.Create("tiny.gguf");
/// plan.WriteHeader(stream);
/// plan.WriteTensor(stream, MemoryMarshal.AsBytes(ones.AsSpan()));
/// plan.Finish(stream);
/// </code></example>
public sealed class GgufStreamWriter
{
    private readonly List<KeyValuePair<string, object>> _metadata = [];
    private readonly List<(string Name, TensorType Type, long[] Dimensions, long ByteLength)> _tensors = [];
    private int _written = -1;

    /// <summary>Creates a writer whose data section and tensors are aligned to <paramref name="alignment"/> bytes.</summary>
    public GgufStreamWriter(int alignment = GgufFile.DefaultAlignment)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "the alignment must be a power of two");
        Alignment = alignment;
    }

    /// <summary>The alignment of the data section and of each tensor.</summary>
    public int Alignment { get; }

    /// <summary>Tensors declared so far, in file order.</summary>
    public int TensorCount => _tensors.Count;

    /// <summary>Bytes of tensor data the file will hold, padding included.</summary>
    public long DataLength => _tensors.Aggregate(0L, (sum, t) => GgufFile.AlignUp(sum, Alignment) + t.ByteLength);

    /// <summary>Adds a key; the value is a string, bool, an integer or float type, or an array of those (object[] for nested arrays).</summary>
    public GgufStreamWriter AddMetadata(string key, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        CheckNotStarted();
        GgufHeaderWriter.TypeOf(value, nameof(value));
        if (_metadata.Any(kv => kv.Key == key)) throw new ArgumentException($"metadata '{key}' was already added", nameof(key));
        _metadata.Add(new(key, value));
        return this;
    }

    /// <summary>Declares the next tensor; <paramref name="dimensions"/> are in GGUF order (row length first). Returns its byte length.</summary>
    public long DeclareTensor(string name, TensorType type, long[] dimensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        CheckNotStarted();
        if (dimensions.Length is 0 or > 4) throw new ArgumentException("a tensor has 1 to 4 dimensions", nameof(dimensions));
        if (dimensions.Any(d => d <= 0)) throw new ArgumentException($"tensor '{name}' has a dimension that is not positive", nameof(dimensions));
        if (!TensorLayout.TryGetBlock(type, out _, out _)) throw new ArgumentOutOfRangeException(nameof(type), type, "unknown tensor type");
        var rowBytes = TensorLayout.RowBytes(type, dimensions[0]);
        if (rowBytes < 0) throw new ArgumentException($"tensor '{name}': rows of {dimensions[0]} elements are not whole {type} blocks", nameof(dimensions));
        if (_tensors.Any(t => t.Name == name)) throw new ArgumentException($"tensor '{name}' was already declared", nameof(name));
        var bytes = dimensions.Skip(1).Aggregate(rowBytes, (a, d) => checked(a * d));
        _tensors.Add((name, type, (long[])dimensions.Clone(), bytes));
        return bytes;
    }

    /// <summary>Writes the header, the metadata and the tensor directory, padded to the start of the data section.</summary>
    public void WriteHeader(Stream stream)
    {
        CheckNotStarted();
        var start = stream.Position;
        using (var output = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            GgufHeaderWriter.WriteHeader(output, _metadata, _tensors, Alignment);
        Pad(stream, stream.Position - start);
        _written = 0;
    }

    /// <summary>Writes the bytes of the next declared tensor (all of them in one call), then its padding.</summary>
    public void WriteTensor(Stream stream, ReadOnlySpan<byte> data)
    {
        BeginTensor(out var expected);
        if (data.Length != expected) throw new ArgumentException($"tensor '{_tensors[_written].Name}' needs {expected} bytes, got {data.Length}", nameof(data));
        stream.Write(data);
        EndTensor(stream);
    }

    /// <summary>Writes the next declared tensor in pieces: <paramref name="writeData"/> must write exactly its byte length.</summary>
    public void WriteTensor(Stream stream, Action<Stream> writeData)
    {
        BeginTensor(out var expected);
        var before = stream.Position;
        writeData(stream);
        var wrote = stream.Position - before;
        if (wrote != expected) throw new InvalidOperationException($"tensor '{_tensors[_written].Name}' needs {expected} bytes, {wrote} were written");
        EndTensor(stream);
    }

    /// <summary>Checks that every declared tensor was written.</summary>
    public void Finish(Stream stream)
    {
        if (_written != _tensors.Count) throw new InvalidOperationException($"{_tensors.Count - Math.Max(_written, 0)} declared tensors were not written");
        stream.Flush();
    }

    /// <summary>The declared tensor that <see cref="WriteTensor(Stream, ReadOnlySpan{byte})"/> writes next.</summary>
    public (string Name, TensorType Type, long[] Dimensions, long ByteLength) NextTensor =>
        _written >= 0 && _written < _tensors.Count ? _tensors[_written] : throw new InvalidOperationException("no tensor is due");

    private void BeginTensor(out long expected)
    {
        if (_written < 0) throw new InvalidOperationException("write the header first");
        if (_written >= _tensors.Count) throw new InvalidOperationException("every declared tensor was already written");
        expected = _tensors[_written].ByteLength;
    }

    private void EndTensor(Stream stream)
    {
        Pad(stream, _tensors[_written].ByteLength);
        _written++;
    }

    private void CheckNotStarted()
    {
        if (_written >= 0) throw new InvalidOperationException("the header was already written");
    }

    private void Pad(Stream stream, long written)
    {
        var padding = (int)(GgufFile.AlignUp(written, Alignment) - written);
        if (padding > 0) stream.Write(new byte[padding]);
    }
}
