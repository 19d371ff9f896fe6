using NextToken.Gguf;
using NextToken.Numerics;

namespace NextToken.Files;

/// <summary>
/// A GGUF file (versions 2 and 3): metadata, a validated tensor directory, and the tensor data mapped into memory.
/// Every tensor is checked at open (known type, whole blocks per row, inside the file, aligned), so reading a tensor
/// later can never run past the end.
/// </summary>
/// <example><code>
/// using var gguf = GgufFile.Open("stories260K.gguf");
/// string arch = gguf.Metadata.GetString("general.architecture");
/// GgufTensorInfo embeddings = gguf.GetTensorInfo("token_embd.weight");
/// </code></example>
public sealed unsafe class GgufFile : ITensorSource
{
    /// <summary>Alignment of the data section and of each tensor when <c>general.alignment</c> is absent.</summary>
    public const int DefaultAlignment = 32;

    private const int MaxDimensions = 4;
    private readonly MappedFile _file;
    private readonly Dictionary<string, GgufTensorInfo> _byName;

    private GgufFile(MappedFile file, GgufMetadata metadata, List<GgufTensorInfo> tensors, Dictionary<string, GgufTensorInfo> byName, int alignment, long dataOffset)
    {
        _file = file;
        Metadata = metadata;
        Tensors = tensors;
        _byName = byName;
        Alignment = alignment;
        DataOffset = dataOffset;
    }

    /// <summary>The file, as given.</summary>
    public string Path => _file.Path;

    /// <summary>Header and key/value metadata.</summary>
    public GgufMetadata Metadata { get; }

    /// <summary>The tensor directory in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary><c>general.alignment</c>, or 32.</summary>
    public int Alignment { get; }

    /// <summary>Where the data section starts.</summary>
    public long DataOffset { get; }

    /// <summary>Opens and validates a GGUF file.</summary>
    /// <exception cref="FileFormatException">The file is missing, not GGUF, truncated, or a tensor entry does not fit.</exception>
    public static GgufFile Open(string path)
    {
        GgufMetadata metadata;
        var tensors = new List<GgufTensorInfo>();
        var byName = new Dictionary<string, GgufTensorInfo>(StringComparer.Ordinal);
        int alignment;
        long dataOffset;
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FileFormatException("GGUF file", path, e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message, e);
        }
        using (stream)
        {
            var reader = new GgufReader(stream, path);
            metadata = GgufMetadata.Read(reader);
            alignment = ReadAlignment(metadata, reader);
            var raw = new List<(string Name, long[] Dims, uint Type, ulong Offset)>();
            for (long i = 0; i < metadata.TensorCount; i++)
            {
                var name = reader.ReadString($"name of tensor {i}");
                var dimensionCount = reader.ReadUInt32($"dimension count of tensor '{name}'");
                if (dimensionCount is 0 or > MaxDimensions)
                    throw reader.Error($"tensor '{name}' has {dimensionCount} dimensions (1 to {MaxDimensions} are allowed)");
                var dims = new long[dimensionCount];
                for (var d = 0; d < dimensionCount; d++)
                {
                    var size = reader.ReadUInt64($"dimension {d} of tensor '{name}'");
                    if (size > int.MaxValue) throw reader.Error($"tensor '{name}' has dimension {d} of {size} elements, too many");
                    dims[d] = (long)size;
                }
                var type = reader.ReadUInt32($"type of tensor '{name}'");
                var offset = reader.ReadUInt64($"offset of tensor '{name}'");
                raw.Add((name, dims, type, offset));
            }
            dataOffset = AlignUp(reader.Position, alignment);
            foreach (var (name, dims, typeNumber, offset) in raw)
            {
                var info = Validate(reader, name, dims, typeNumber, offset, alignment, dataOffset);
                if (!byName.TryAdd(name, info)) throw reader.Error($"tensor '{name}' appears twice in the directory");
                tensors.Add(info);
            }
        }
        var file = MappedFile.Open(path, "GGUF file");
        return new GgufFile(file, metadata, tensors, byName, alignment, dataOffset);
    }

    /// <summary>The directory entry for <paramref name="name"/>, or null.</summary>
    public GgufTensorInfo? FindTensor(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The directory entry for <paramref name="name"/>.</summary>
    /// <exception cref="FileFormatException">No such tensor.</exception>
    public GgufTensorInfo GetTensorInfo(string name) =>
        FindTensor(name) ?? throw new FileFormatException("GGUF file", Path, $"tensor '{name}' is missing");

    /// <summary>The raw bytes of a tensor (valid until the file is disposed).</summary>
    public ReadOnlySpan<byte> GetBytes(GgufTensorInfo tensor)
    {
        if (tensor.ByteLength > int.MaxValue) throw new NotSupportedException($"tensor '{tensor.Name}' is larger than 2 GiB; read it as a matrix");
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
        tensor = new TensorView(name, info.Type, info.Shape, (nint)(_file.Pointer + info.Offset), info.ByteLength, _file);
        return true;
    }

    public void Dispose() => _file.Dispose();

    private static int ReadAlignment(GgufMetadata metadata, GgufReader reader)
    {
        if (!metadata.Contains("general.alignment")) return DefaultAlignment;
        long value;
        try
        {
            value = metadata.GetInteger("general.alignment");
        }
        catch (FileFormatException e)
        {
            throw reader.Error(e.Problem);
        }
        if (value <= 0 || value > 1 << 20 || (value & (value - 1)) != 0)
            throw reader.Error($"general.alignment is {value}, not a power of two");
        return (int)value;
    }

    private static GgufTensorInfo Validate(GgufReader reader, string name, long[] dims, uint typeNumber, ulong offset, int alignment, long dataOffset)
    {
        var type = (TensorType)typeNumber;
        if (!TensorLayout.TryGetBlock(type, out var blockElements, out _))
            throw reader.Error($"tensor '{name}' has unknown or unsupported type {TensorLayout.Name(type)}");
        if (dims[0] % blockElements != 0)
            throw reader.Error($"tensor '{name}' of type {type} has rows of {dims[0]} elements, not a multiple of its block size {blockElements}");
        var rowBytes = TensorLayout.RowBytes(type, dims[0]);
        long rows = 1;
        for (var d = 1; d < dims.Length; d++)
        {
            rows *= dims[d];
            if (rows > reader.Length) throw reader.Error($"tensor '{name}' with dimensions [{string.Join(", ", dims)}] is larger than the file");
        }
        var available = reader.Length - dataOffset;
        if (rowBytes > 0 && rows > available / rowBytes)
            throw reader.Error($"tensor '{name}' with dimensions [{string.Join(", ", dims)}] runs past the end of the file ({reader.Length} bytes)");
        var byteLength = rows * rowBytes;
        if (offset % (ulong)alignment != 0)
            throw reader.Error($"tensor '{name}' starts at data offset {offset}, not a multiple of the alignment {alignment}");
        if (offset > (ulong)available || (long)offset + byteLength > available)
            throw reader.Error($"tensor '{name}' at data offset {offset} with {byteLength} bytes runs past the end of the file ({reader.Length} bytes)");
        return new GgufTensorInfo(name, type, dims, dataOffset + (long)offset, byteLength);
    }

    internal static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
