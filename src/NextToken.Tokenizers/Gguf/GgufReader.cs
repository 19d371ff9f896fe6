using System.Buffers.Binary;
using System.Text;

namespace NextToken.Gguf;

/// <summary>
/// A bounds-checked little-endian reader over the header of a GGUF file. Every read checks the remaining
/// length first, so a truncated or lying file gives a <see cref="FileFormatException"/>, never a read past the end.
/// Used for the metadata (here) and for the tensor directory (by the model loader).
/// </summary>
public sealed class GgufReader
{
    private readonly Stream _stream;
    private readonly byte[] _scratch = new byte[8];

    /// <summary>Wraps a seekable stream positioned at the start of a GGUF file.</summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="filePath">The file, for error messages.</param>
    /// <param name="kind">What the caller is loading ("model", "tokenizer"), for error messages.</param>
    public GgufReader(Stream stream, string filePath, string kind = "GGUF file")
    {
        _stream = stream;
        FilePath = filePath;
        Kind = kind;
    }

    /// <summary>What the caller is loading, as error messages name it.</summary>
    public string Kind { get; }

    /// <summary>The file being read, for error messages.</summary>
    public string FilePath { get; }

    /// <summary>Bytes consumed so far.</summary>
    public long Position => _stream.Position;

    /// <summary>The file's length in bytes.</summary>
    public long Length => _stream.Length;

    /// <summary>An error about this file.</summary>
    public FileFormatException Error(string problem) => new(Kind, FilePath, problem);

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (_stream.Length - _stream.Position < count)
            throw Error($"truncated: {what} at offset {_stream.Position} needs {count} bytes, the file ends at {_stream.Length}");
        var span = _scratch.AsSpan(0, count);
        _stream.ReadExactly(span);
        return span;
    }

    public byte ReadUInt8(string what) => Take(1, what)[0];
    public ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));
    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));
    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));
    public float ReadFloat32(string what) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, what));
    public double ReadFloat64(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

    /// <summary>Reads a count (u64 in GGUF v2+), checking it is no larger than <paramref name="limit"/>.</summary>
    public long ReadCount(string what, long limit)
    {
        var value = ReadUInt64(what);
        if (value > (ulong)limit)
            throw Error($"{what} is {value}, more than the file can hold");
        return (long)value;
    }

    /// <summary>Reads a GGUF string: u64 byte length, then UTF-8 bytes.</summary>
    public string ReadString(string what)
    {
        var length = ReadCount($"length of {what}", _stream.Length - _stream.Position);
        if (length == 0) return string.Empty;
        if (length > int.MaxValue) throw Error($"{what} is {length} bytes long");
        var bytes = length <= 256 ? stackalloc byte[(int)length] : new byte[length];
        _stream.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Reads one metadata value of the given type: a boxed scalar, a string, or a typed array.</summary>
    public object ReadValue(GgufValueType type, string key)
    {
        return type switch
        {
            GgufValueType.UInt8 => ReadUInt8(key),
            GgufValueType.Int8 => (sbyte)ReadUInt8(key),
            GgufValueType.UInt16 => ReadUInt16(key),
            GgufValueType.Int16 => (short)ReadUInt16(key),
            GgufValueType.UInt32 => ReadUInt32(key),
            GgufValueType.Int32 => (int)ReadUInt32(key),
            GgufValueType.Float32 => ReadFloat32(key),
            GgufValueType.Bool => ReadBool(key),
            GgufValueType.String => ReadString(key),
            GgufValueType.UInt64 => ReadUInt64(key),
            GgufValueType.Int64 => (long)ReadUInt64(key),
            GgufValueType.Float64 => ReadFloat64(key),
            GgufValueType.Array => ReadArray(key),
            _ => throw Error($"metadata '{key}' has unknown value type {(uint)type}"),
        };
    }

    private bool ReadBool(string key)
    {
        var b = ReadUInt8(key);
        if (b > 1) throw Error($"metadata '{key}' is a bool with value {b}");
        return b == 1;
    }

    private object ReadArray(string key)
    {
        var elementType = (GgufValueType)ReadUInt32($"element type of '{key}'");
        // Every element takes at least one byte, so the count can never exceed what is left of the file.
        var count = ReadCount($"length of array '{key}'", _stream.Length - _stream.Position);
        if (count > int.MaxValue) throw Error($"array '{key}' has {count} elements");
        var n = (int)count;
        switch (elementType)
        {
            case GgufValueType.String:
                var strings = new string[n];
                for (var i = 0; i < n; i++) strings[i] = ReadString(key);
                return strings;
            case GgufValueType.Array:
                var arrays = new object[n];
                for (var i = 0; i < n; i++) arrays[i] = ReadArray(key);
                return arrays;
            case GgufValueType.Float32: return ReadPrimitiveArray<float>(n, 4, key);
            case GgufValueType.Int32: return ReadPrimitiveArray<int>(n, 4, key);
            case GgufValueType.UInt32: return ReadPrimitiveArray<uint>(n, 4, key);
            case GgufValueType.UInt8: return ReadPrimitiveArray<byte>(n, 1, key);
            case GgufValueType.Int8: return ReadPrimitiveArray<sbyte>(n, 1, key);
            case GgufValueType.UInt16: return ReadPrimitiveArray<ushort>(n, 2, key);
            case GgufValueType.Int16: return ReadPrimitiveArray<short>(n, 2, key);
            case GgufValueType.UInt64: return ReadPrimitiveArray<ulong>(n, 8, key);
            case GgufValueType.Int64: return ReadPrimitiveArray<long>(n, 8, key);
            case GgufValueType.Float64: return ReadPrimitiveArray<double>(n, 8, key);
            case GgufValueType.Bool:
                var bools = new bool[n];
                for (var i = 0; i < n; i++) bools[i] = ReadBool(key);
                return bools;
            default:
                throw Error($"array '{key}' has unknown element type {(uint)elementType}");
        }
    }

    private T[] ReadPrimitiveArray<T>(int count, int size, string key) where T : unmanaged
    {
        if (_stream.Length - _stream.Position < (long)count * size)
            throw Error($"truncated: array '{key}' of {count} elements runs past the end of the file");
        var result = new T[count];
        _stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.AsSpan()));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("GGUF reading needs a little-endian machine");
        return result;
    }
}
