using System.Runtime.InteropServices;
using NextToken.Numerics;

namespace NextToken.Files;

/// <summary>
/// Takes a model's tensors out of a <see cref="ITensorSource"/> by name, checking each shape against what the
/// architecture expects, and counts what was taken (parameters, tensor types) for <c>ModelInfo</c>.
/// Matrices point into the mapped file; small vectors (norms, biases) are converted to float arrays.
/// </summary>
internal sealed unsafe class TensorReader(ITensorSource source)
{
    private readonly Dictionary<TensorType, int> _types = [];
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    /// <summary>The file or folder, for error messages.</summary>
    public string Path => source.Path;

    /// <summary>Elements of every tensor taken so far.</summary>
    public long ParameterCount { get; private set; }

    /// <summary>How many tensors of each type were taken.</summary>
    public IReadOnlyDictionary<TensorType, int> TensorTypes => _types;

    /// <summary>An error about this model file.</summary>
    public FileFormatException Error(string problem) => new("model", source.Path, problem);

    public bool Contains(string name) => source.TryGetTensor(name, out _);

    /// <summary>A [rows, columns] matrix (rows are output features).</summary>
    public WeightMatrix Matrix(string name, int rows, int columns) =>
        OptionalMatrix(name, rows, columns) ?? throw Error($"tensor '{name}' is missing");

    public WeightMatrix? OptionalMatrix(string name, int rows, int columns)
    {
        if (!TryTake(name, out var t)) return null;
        CheckShape(t, [rows, columns]);
        if (TensorLayout.RowBytes(t.Type, columns) < 0)
            throw Error($"tensor '{name}' of type {t.Type} has rows of {columns} elements, not whole blocks");
        return new WeightMatrix(t.Type, rows, columns, (byte*)t.Data, t.ByteLength, t.Owner);
    }

    /// <summary>A matrix stored transposed, as [columns, rows] (Hugging Face GPT-2's Conv1D [in, out]), used as [rows, columns]
    /// straight from the mapped file: the kernels read the transposed layout, so nothing is copied at load.</summary>
    public WeightMatrix TransposedMatrix(string name, int rows, int columns)
    {
        if (!TryTake(name, out var t)) throw Error($"tensor '{name}' is missing");
        CheckShape(t, [columns, rows]);
        if (t.Type is not (TensorType.F32 or TensorType.F16 or TensorType.BF16))
            throw Error($"tensor '{name}' is {t.Type}; a transposed (Conv1D) weight must be F32, F16 or BF16");
        return WeightMatrix.FromTransposed(t.Type, rows, columns, (byte*)t.Data, t.ByteLength, t.Owner);
    }

    /// <summary>A vector of <paramref name="length"/> floats.</summary>
    public float[] Vector(string name, int length) =>
        OptionalVector(name, length) ?? throw Error($"tensor '{name}' is missing");

    public float[]? OptionalVector(string name, int length)
    {
        if (!TryTake(name, out var t)) return null;
        CheckShape(t, [length]);
        return ToFloats(t, length);
    }

    /// <summary>A whole [rows, columns] tensor as floats (position embeddings and other small tables).</summary>
    public float[] Table(string name, int rows, int columns)
    {
        if (!TryTake(name, out var t)) throw Error($"tensor '{name}' is missing");
        CheckShape(t, [rows, columns]);
        return ToFloats(t, (long)rows * columns);
    }

    private bool TryTake(string name, out TensorView tensor)
    {
        if (!source.TryGetTensor(name, out tensor)) return false;
        if (_taken.Add(name))
        {
            ParameterCount += tensor.ElementCount;
            _types[tensor.Type] = _types.GetValueOrDefault(tensor.Type) + 1;
        }
        return true;
    }

    private void CheckShape(TensorView t, long[] expected)
    {
        if (!t.Shape.AsSpan().SequenceEqual(expected))
            throw Error($"tensor '{t.Name}' has shape {t.ShapeText}, expected [{string.Join(", ", expected)}]");
    }

    private static float[] ToFloats(TensorView t, long count)
    {
        if (count > Array.MaxLength) throw new NotSupportedException($"tensor '{t.Name}' is too large to convert to floats");
        var result = new float[count];
        var file = t.Owner as MappedFile;
        file?.AdviseReadAlone((byte*)t.Data, t.ByteLength, alone: true);
        try
        {
            Convert(t, count, result);
        }
        finally
        {
            file?.AdviseReadAlone((byte*)t.Data, t.ByteLength, alone: false);
        }
        return result;
    }

    private static void Convert(TensorView t, long count, float[] result)
    {
        switch (t.Type)
        {
            case TensorType.F32:
                new ReadOnlySpan<float>((void*)t.Data, (int)count).CopyTo(result);
                break;
            case TensorType.F16:
                var halves = new ReadOnlySpan<Half>((void*)t.Data, (int)count);
                for (var i = 0; i < halves.Length; i++) result[i] = (float)halves[i];
                break;
            case TensorType.BF16:
                var bits = new ReadOnlySpan<ushort>((void*)t.Data, (int)count);
                for (var i = 0; i < bits.Length; i++) result[i] = FloatConversion.FromBFloat16(bits[i]);
                break;
            default:
                var columns = t.Shape[^1];
                var rows = (int)(count / columns);
                var matrix = new WeightMatrix(t.Type, rows, (int)columns, (byte*)t.Data, t.ByteLength, t.Owner);
                for (var r = 0; r < rows; r++) matrix.DequantizeRow(r, result.AsSpan((int)(r * columns), (int)columns));
                break;
        }
    }
}
