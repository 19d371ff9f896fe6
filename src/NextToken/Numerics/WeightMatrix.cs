using System.Runtime.InteropServices;

namespace NextToken.Numerics;

/// <summary>
/// A read-only weight matrix of <see cref="Rows"/> × <see cref="Columns"/> elements of one <see cref="TensorType"/>,
/// stored row-major (each row is whole quantization blocks) in memory its owner keeps alive: a memory-mapped
/// model file or a managed array. Quantization is a property of the matrix: the model calls
/// <see cref="MatVec"/>/<see cref="MatMul"/> the same way whatever the type.
/// </summary>
public sealed unsafe class WeightMatrix
{
    private readonly byte* _data;
    private readonly object? _owner;

    /// <summary>Wraps memory holding the matrix; <paramref name="owner"/> (a mapping, an array handle) is kept alive with it.</summary>
    public WeightMatrix(TensorType type, int rows, int columns, byte* data, long byteLength, object? owner = null)
    {
        Type = type;
        Rows = rows;
        Columns = columns;
        _data = data;
        ByteLength = byteLength;
        _owner = owner;
    }

    /// <summary>A managed F32 matrix (tests, small models, converted weights).</summary>
    public static WeightMatrix FromFloats(float[] values, int rows, int columns)
    {
        if (values.Length != (long)rows * columns) throw new ArgumentException($"expected {rows}×{columns} values, got {values.Length}", nameof(values));
        var handle = GCHandle.Alloc(values, GCHandleType.Pinned);
        return new WeightMatrix(TensorType.F32, rows, columns, (byte*)handle.AddrOfPinnedObject(), values.LongLength * 4, new PinnedArray(handle));
    }

    public TensorType Type { get; }
    public int Rows { get; }
    public int Columns { get; }
    public long ByteLength { get; }

    /// <summary>y[r] = Σ_c W[r, c] · x[c] for every row.</summary>
    public void MatVec(ReadOnlySpan<float> x, Span<float> y, ComputePool? pool = null) => MatMul(x, y, 1, pool);

    /// <summary>For each of <paramref name="n"/> input rows: y[i, r] = Σ_c W[r, c] · x[i, c]. x is [n, Columns], y is [n, Rows].</summary>
    public void MatMul(ReadOnlySpan<float> x, Span<float> y, int n, ComputePool? pool = null)
    {
        if (x.Length < n * Columns) throw new ArgumentException($"input needs {n}×{Columns} values", nameof(x));
        if (y.Length < n * Rows) throw new ArgumentException($"output needs {n}×{Rows} values", nameof(y));
        if (Type != TensorType.F32) throw new NotSupportedException($"tensor type {Type} is not supported yet");
        var w = new ReadOnlySpan<float>(_data, checked(Rows * Columns));
        for (var i = 0; i < n; i++)
            for (var r = 0; r < Rows; r++)
            {
                var row = w.Slice(r * Columns, Columns);
                var xi = x.Slice(i * Columns, Columns);
                float sum = 0;
                for (var c = 0; c < Columns; c++) sum += row[c] * xi[c];
                y[i * Rows + r] = sum;
            }
    }

    /// <summary>Writes row <paramref name="row"/> as floats into <paramref name="destination"/> (length ≥ Columns).</summary>
    public void DequantizeRow(int row, Span<float> destination)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"the matrix has {Rows} rows");
        if (Type != TensorType.F32) throw new NotSupportedException($"tensor type {Type} is not supported yet");
        new ReadOnlySpan<float>(_data + (long)row * Columns * 4, Columns).CopyTo(destination);
    }

    private sealed class PinnedArray(GCHandle handle)
    {
        ~PinnedArray() => handle.Free();
    }
}
