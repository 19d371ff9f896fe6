using System.Text;
using NextToken.Gguf;
using NextToken.Numerics;

namespace NextToken.Files;

/// <summary>The GGUF header — magic, version, metadata and tensor directory — as <see cref="GgufWriter"/> and the streaming
/// writer both write it. A metadata value's GGUF type follows its .NET type (<c>uint</c> → UInt32, <c>float[]</c> → array of
/// Float32, <c>object[]</c> of arrays → nested arrays).</summary>
internal static class GgufHeaderWriter
{
    /// <summary>
    /// Writes a GGUF v3 header: counts, every metadata value (with <c>general.alignment</c> added when
    /// <paramref name="alignment"/> is not the default and the caller did not set it), then the directory of
    /// <paramref name="tensors"/>, whose data will follow in order, each starting on an aligned offset. No padding is written.
    /// </summary>
    public static void WriteHeader(BinaryWriter output, IReadOnlyList<KeyValuePair<string, object>> metadata,
        IReadOnlyList<(string Name, TensorType Type, long[] Dimensions, long ByteLength)> tensors, int alignment)
    {
        var all = new List<KeyValuePair<string, object>>(metadata);
        if (alignment != GgufFile.DefaultAlignment && all.All(kv => kv.Key != "general.alignment"))
            all.Add(new("general.alignment", (uint)alignment));
        output.Write(GgufMetadata.Magic);
        output.Write(3u);
        output.Write((ulong)tensors.Count);
        output.Write((ulong)all.Count);
        foreach (var (key, value) in all)
        {
            WriteString(output, key);
            output.Write((uint)TypeOf(value, key));
            WriteValue(output, value);
        }
        long offset = 0;
        foreach (var (name, type, dims, length) in tensors)
        {
            WriteString(output, name);
            output.Write((uint)dims.Length);
            foreach (var d in dims) output.Write((ulong)d);
            output.Write((uint)type);
            output.Write((ulong)offset);
            offset = GgufFile.AlignUp(offset + length, alignment);
        }
    }

    public static void WriteString(BinaryWriter output, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        output.Write((ulong)bytes.Length);
        output.Write(bytes);
    }

    public static GgufValueType TypeOf(object value, string what) => value switch
    {
        byte => GgufValueType.UInt8,
        sbyte => GgufValueType.Int8,
        ushort => GgufValueType.UInt16,
        short => GgufValueType.Int16,
        uint => GgufValueType.UInt32,
        int => GgufValueType.Int32,
        float => GgufValueType.Float32,
        bool => GgufValueType.Bool,
        string => GgufValueType.String,
        ulong => GgufValueType.UInt64,
        long => GgufValueType.Int64,
        double => GgufValueType.Float64,
        Array array => CheckArray(array, what),
        _ => throw new ArgumentException($"metadata value of type {value.GetType().Name} has no GGUF type", what),
    };

    public static GgufValueType CheckArray(Array array, string what)
    {
        ElementTypeOf(array, what);
        return GgufValueType.Array;
    }

    public static GgufValueType ElementTypeOf(Array array, string what)
    {
        var element = array.GetType().GetElementType()!;
        if (element == typeof(object))
        {
            foreach (var item in array)
                if (item is not Array) throw new ArgumentException("an object[] value must hold arrays (nested arrays)", what);
            return GgufValueType.Array;
        }
        if (element == typeof(string)) return GgufValueType.String;
        return TypeOf(Activator.CreateInstance(element)!, what);
    }

    public static void WriteValue(BinaryWriter output, object value)
    {
        switch (value)
        {
            case byte v: output.Write(v); break;
            case sbyte v: output.Write(v); break;
            case ushort v: output.Write(v); break;
            case short v: output.Write(v); break;
            case uint v: output.Write(v); break;
            case int v: output.Write(v); break;
            case float v: output.Write(v); break;
            case bool v: output.Write((byte)(v ? 1 : 0)); break;
            case string v: WriteString(output, v); break;
            case ulong v: output.Write(v); break;
            case long v: output.Write(v); break;
            case double v: output.Write(v); break;
            case Array array:
                output.Write((uint)ElementTypeOf(array, "value"));
                output.Write((ulong)array.Length);
                foreach (var item in array) WriteValue(output, item!);
                break;
        }
    }
}
