using System.Buffers.Binary;
using System.Text;

namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// A minimal, bounds-checked reader of the protobuf wire format: tags, varints, 32/64-bit fixed values and
/// length-delimited fields (strings, bytes, nested messages). Unknown fields are skipped by wire type.
/// Every malformed input raises the exception <c>error</c> builds, never an out-of-range read.
/// </summary>
internal ref struct ProtobufReader
{
    public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data;
    private readonly Func<string, Exception> _error;
    private int _position;

    public ProtobufReader(ReadOnlySpan<byte> data, Func<string, Exception> error)
    {
        _data = data;
        _error = error;
    }

    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>Reads the next tag: field number and wire type.</summary>
    public (int Field, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        var field = tag >> 3;
        if (field == 0 || field > (1 << 29) - 1) throw _error($"malformed protobuf: field number {field} at byte {_position}");
        return ((int)field, (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length) throw _error("malformed protobuf: truncated varint");
            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw _error("malformed protobuf: varint longer than 10 bytes");
    }

    /// <summary>An int32 field: protobuf writes negative values as 10-byte varints.</summary>
    public int ReadInt32() => unchecked((int)ReadVarint());

    public bool ReadBool() => ReadVarint() != 0;

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
            throw _error($"malformed protobuf: a field of {length} bytes runs past the end ({_data.Length - _position} bytes left)");
        return Take((int)length);
    }

    public string ReadString()
    {
        var bytes = ReadBytes();
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw _error("malformed protobuf: a string field is not valid UTF-8");
        }
    }

    /// <summary>Reads a value of the expected wire type, or throws when the file used another.</summary>
    public void Expect(int actual, int expected, string field)
    {
        if (actual != expected) throw _error($"malformed protobuf: field {field} has wire type {actual}, expected {expected}");
    }

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint: ReadVarint(); break;
            case Fixed64: Take(8); break;
            case LengthDelimited: ReadBytes(); break;
            case Fixed32: Take(4); break;
            default: throw _error($"malformed protobuf: unsupported wire type {wireType} at byte {_position}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position) throw _error($"malformed protobuf: truncated ({count} bytes needed, {_data.Length - _position} left)");
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
