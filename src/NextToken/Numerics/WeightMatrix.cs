using System.Buffers;
using System.Runtime.InteropServices;
using NextToken.Numerics.Kernels;
using NextToken.Numerics.Quantization;

namespace NextToken.Numerics;

/// <summary>
/// A read-only weight matrix of <see cref="Rows"/> × <see cref="Columns"/> elements of one <see cref="TensorType"/>,
/// stored row-major (each row is whole quantization blocks) in memory its owner keeps alive: a memory-mapped
/// model file or a managed array. Quantization is a property of the matrix: the model calls
/// <see cref="MatVec"/>/<see cref="MatMul"/> the same way whatever the type. F32, F16 and BF16 matrices may also be
/// stored transposed (<see cref="FromTransposed"/>), as Hugging Face GPT-2 checkpoints keep them.
/// </summary>
/// <example><code>
/// var w = WeightMatrix.FromFloats(new float[] { 1, 2, 3, 4, 5, 6 }, rows: 2, columns: 3);
/// var y = new float[2];
/// w.MatVec(new float[] { 1, 0, 1 }, y);   // y = { 4, 10 }
/// </code></example>
public sealed unsafe class WeightMatrix
{
    private readonly byte* _data;
    private readonly object? _owner;

    // Set once a product has checked every F16 row for infinities and NaN and found none; later products skip the
    // check. Only ever goes false → true (a race merely repeats the check).
    private bool _halvesFinite;

    /// <summary>Wraps memory holding the matrix; <paramref name="owner"/> (a mapping, an array handle) is kept alive with it.</summary>
    /// <exception cref="ArgumentException">The type is not a weight type, the columns are not whole blocks, or the byte length does not match the shape.</exception>
    public WeightMatrix(TensorType type, int rows, int columns, byte* data, long byteLength, object? owner = null)
        : this(type, rows, columns, data, byteLength, owner, transposed: false)
    {
    }

    private WeightMatrix(TensorType type, int rows, int columns, byte* data, long byteLength, object? owner, bool transposed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (type is TensorType.Q8_1 or TensorType.Q8_K || !Enum.IsDefined(type))
            throw new ArgumentException($"{type} is not supported as a weight matrix type", nameof(type));
        var expected = transposed ? (long)rows * columns * ElementBytes(type) : rows * RowByteLength(type, columns, nameof(columns));
        if (byteLength != expected)
            throw new ArgumentException($"a {type} matrix of {rows}×{columns} takes {expected} bytes, but {byteLength} were given", nameof(byteLength));
        if (data == null && byteLength > 0) throw new ArgumentNullException(nameof(data));
        Type = type;
        Rows = rows;
        Columns = columns;
        _data = data;
        ByteLength = byteLength;
        _owner = owner;
        IsTransposed = transposed;
    }

    /// <summary>
    /// Wraps an F32, F16 or BF16 matrix whose memory holds its transpose Wᵀ, [<paramref name="columns"/>, <paramref name="rows"/>]
    /// row-major (the layout of Hugging Face GPT-2's Conv1D weights). It is used as it lies, never converted; its
    /// products are float32 in both arithmetic modes (llama.cpp never sees this layout).
    /// </summary>
    public static WeightMatrix FromTransposed(TensorType type, int rows, int columns, byte* data, long byteLength, object? owner)
    {
        if (type is not (TensorType.F32 or TensorType.F16 or TensorType.BF16))
            throw new ArgumentException($"a transposed weight matrix must be F32, F16 or BF16, not {type}", nameof(type));
        return new WeightMatrix(type, rows, columns, data, byteLength, owner, transposed: true);
    }

    /// <summary>A managed F32 matrix (tests, small models, converted weights).</summary>
    public static WeightMatrix FromFloats(float[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != (long)rows * columns) throw new ArgumentException($"expected {rows}×{columns} values, got {values.Length}", nameof(values));
        var handle = GCHandle.Alloc(values, GCHandleType.Pinned);
        return new WeightMatrix(TensorType.F32, rows, columns, (byte*)handle.AddrOfPinnedObject(), values.LongLength * 4, new PinnedArray(handle));
    }

    /// <summary>A managed matrix of any weight type from its encoded bytes (rows of whole blocks), e.g. from <see cref="Quantizer.Quantize"/>.</summary>
    public static WeightMatrix FromBytes(TensorType type, byte[] bytes, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            return new WeightMatrix(type, rows, columns, (byte*)handle.AddrOfPinnedObject(), bytes.LongLength, new PinnedArray(handle));
        }
        catch
        {
            handle.Free();
            throw;
        }
    }

    /// <summary>The element type.</summary>
    public TensorType Type { get; }

    /// <summary>Output size: the length of <c>y</c> in <see cref="MatVec"/>.</summary>
    public int Rows { get; }

    /// <summary>Input size: the length of <c>x</c> in <see cref="MatVec"/>.</summary>
    public int Columns { get; }

    /// <summary>Bytes of memory the matrix occupies.</summary>
    public long ByteLength { get; }

    /// <summary>True when memory holds Wᵀ ([Columns, Rows] row-major); see <see cref="FromTransposed"/>.</summary>
    public bool IsTransposed { get; }

    /// <summary>Values per block of <paramref name="type"/>: 1 for F32/F16/BF16, 32 for Q4_0…Q8_1, 256 for the K-quants.</summary>
    public static int BlockSize(TensorType type) => type switch
    {
        TensorType.F32 or TensorType.F16 or TensorType.BF16 => 1,
        TensorType.Q4_0 or TensorType.Q4_1 or TensorType.Q5_0 or TensorType.Q5_1 or TensorType.Q8_0 or TensorType.Q8_1 => 32,
        TensorType.Q2_K or TensorType.Q3_K or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K or TensorType.Q8_K => 256,
        _ => throw new ArgumentException($"unknown tensor type {(uint)type}", nameof(type)),
    };

    /// <summary>Bytes per block of <paramref name="type"/> (4 for F32, 18 for Q4_0, 210 for Q6_K…).</summary>
    public static int BlockBytes(TensorType type) => type switch
    {
        TensorType.F32 => 4,
        TensorType.F16 or TensorType.BF16 => 2,
        TensorType.Q4_0 => BlockQ4_0.BlockBytes,
        TensorType.Q4_1 => BlockQ4_1.BlockBytes,
        TensorType.Q5_0 => BlockQ5_0.BlockBytes,
        TensorType.Q5_1 => BlockQ5_1.BlockBytes,
        TensorType.Q8_0 => BlockQ8_0.BlockBytes,
        TensorType.Q8_1 => 36,
        TensorType.Q2_K => BlockQ2_K.BlockBytes,
        TensorType.Q3_K => BlockQ3_K.BlockBytes,
        TensorType.Q4_K => BlockQ4_K.BlockBytes,
        TensorType.Q5_K => BlockQ5_K.BlockBytes,
        TensorType.Q6_K => BlockQ6_K.BlockBytes,
        TensorType.Q8_K => 292,
        _ => throw new ArgumentException($"unknown tensor type {(uint)type}", nameof(type)),
    };

    /// <summary>Bytes one row of <paramref name="columns"/> values of <paramref name="type"/> takes.</summary>
    /// <exception cref="ArgumentException"><paramref name="columns"/> is not a whole number of blocks.</exception>
    public static long RowByteLength(TensorType type, int columns) => RowByteLength(type, columns, nameof(columns));

    private static long RowByteLength(TensorType type, int columns, string parameter)
    {
        var block = BlockSize(type);
        if (columns < 0 || columns % block != 0)
            throw new ArgumentException($"a row of {type} must be a whole number of {block}-value blocks, but it has {columns} values", parameter);
        return (long)(columns / block) * BlockBytes(type);
    }

    private static int ElementBytes(TensorType type) => type == TensorType.F32 ? 4 : 2;

    /// <summary>y[r] = Σ_c W[r, c] · x[c] for every row.</summary>
    public void MatVec(ReadOnlySpan<float> x, Span<float> y, ComputePool? pool = null) => MatMul(x, y, 1, pool);

    /// <summary>
    /// For each of <paramref name="n"/> input rows: y[i, r] = Σ_c W[r, c] · x[i, c]. x is [n, Columns], y is [n, Rows].
    /// The pool chooses the threads and the arithmetic (<see cref="ComputePool.QuantizeActivations"/>).
    /// </summary>
    public void MatMul(ReadOnlySpan<float> x, Span<float> y, int n, ComputePool? pool = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (x.Length < (long)n * Columns) throw new ArgumentException($"input needs {n}×{Columns} values, got {x.Length}", nameof(x));
        if (y.Length < (long)n * Rows) throw new ArgumentException($"output needs {n}×{Rows} values, got {y.Length}", nameof(y));
        if (n == 0 || Rows == 0) return;
        if (Columns == 0)
        {
            y[..(n * Rows)].Clear();
            return;
        }
        pool = (pool ?? ComputePool.Single).ForWork((long)Rows * Columns * n);
        fixed (float* px = x)
        fixed (float* py = y)
        {
            if (IsTransposed) FloatMatrixKernels.MatMulTransposed(Type, _data, Rows, Columns, px, py, n, pool);
            else if (Type is TensorType.F32 or TensorType.F16 or TensorType.BF16)
            {
                if (FloatMatrixKernels.MatMul(Type, _data, Rows, Columns, px, py, n, pool, _halvesFinite)) _halvesFinite = true;
            }
            else if (pool.QuantizeActivations) MatMulQuantized(px, py, n, pool);
            else MatMulDequantized(px, py, n, pool);
        }
        GC.KeepAlive(_owner);
    }

    /// <summary>Writes row <paramref name="row"/> as floats into <paramref name="destination"/> (length ≥ Columns).</summary>
    public void DequantizeRow(int row, Span<float> destination)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"the matrix has {Rows} rows");
        if (destination.Length < Columns) throw new ArgumentException($"destination needs {Columns} values, got {destination.Length}", nameof(destination));
        fixed (float* d = destination)
        {
            if (IsTransposed) FloatMatrixKernels.GatherColumn(Type, _data, Rows, Columns, row, d);
            else
            {
                var rowBytes = RowByteLength(Type, Columns);
                switch (Type)
                {
                    case TensorType.F32 or TensorType.F16 or TensorType.BF16: FloatMatrixKernels.ConvertRow(Type, _data + row * rowBytes, d, Columns); break;
                    case TensorType.Q4_0: QuantizedRowKernels.DequantizeRow<BlockQ4_0>(_data, rowBytes, row, Columns, d); break;
                    case TensorType.Q4_1: QuantizedRowKernels.DequantizeRow<BlockQ4_1>(_data, rowBytes, row, Columns, d); break;
                    case TensorType.Q5_0: QuantizedRowKernels.DequantizeRow<BlockQ5_0>(_data, rowBytes, row, Columns, d); break;
                    case TensorType.Q5_1: QuantizedRowKernels.DequantizeRow<BlockQ5_1>(_data, rowBytes, row, Columns, d); break;
                    case TensorType.Q8_0: QuantizedRowKernels.DequantizeRow<BlockQ8_0>(_data, rowBytes, row, Columns, d); break;
                    case TensorType.Q2_K: QuantizedRowKernels.DequantizeRow<BlockQ2_K>(_data, rowBytes, row, Columns, d); break;
                    case TensorType.Q3_K: QuantizedRowKernels.DequantizeRow<BlockQ3_K>(_data, rowBytes, row, Columns, d); break;
                    case TensorType.Q4_K: QuantizedRowKernels.DequantizeRow<BlockQ4_K>(_data, rowBytes, row, Columns, d); break;
                    case TensorType.Q5_K: QuantizedRowKernels.DequantizeRow<BlockQ5_K>(_data, rowBytes, row, Columns, d); break;
                    case TensorType.Q6_K: QuantizedRowKernels.DequantizeRow<BlockQ6_K>(_data, rowBytes, row, Columns, d); break;
                    default: throw Unsupported();
                }
            }
        }
        GC.KeepAlive(_owner);
    }

    private void MatMulQuantized(float* x, float* y, int n, ComputePool pool)
    {
        switch (Type)
        {
            case TensorType.Q4_0: QuantizedRowKernels.MatMulQuantized<BlockQ4_0>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q4_1: QuantizedRowKernels.MatMulQuantized<BlockQ4_1>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q5_0: QuantizedRowKernels.MatMulQuantized<BlockQ5_0>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q5_1: QuantizedRowKernels.MatMulQuantized<BlockQ5_1>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q8_0: QuantizedRowKernels.MatMulQuantized<BlockQ8_0>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q2_K: QuantizedRowKernels.MatMulQuantized<BlockQ2_K>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q3_K: QuantizedRowKernels.MatMulQuantized<BlockQ3_K>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q4_K: QuantizedRowKernels.MatMulQuantized<BlockQ4_K>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q5_K: QuantizedRowKernels.MatMulQuantized<BlockQ5_K>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q6_K: QuantizedRowKernels.MatMulQuantized<BlockQ6_K>(_data, Rows, Columns, x, y, n, pool); break;
            default: throw Unsupported();
        }
    }

    private void MatMulDequantized(float* x, float* y, int n, ComputePool pool)
    {
        switch (Type)
        {
            case TensorType.Q4_0: QuantizedRowKernels.MatMulDequantized<BlockQ4_0>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q4_1: QuantizedRowKernels.MatMulDequantized<BlockQ4_1>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q5_0: QuantizedRowKernels.MatMulDequantized<BlockQ5_0>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q5_1: QuantizedRowKernels.MatMulDequantized<BlockQ5_1>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q8_0: QuantizedRowKernels.MatMulDequantized<BlockQ8_0>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q2_K: QuantizedRowKernels.MatMulDequantized<BlockQ2_K>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q3_K: QuantizedRowKernels.MatMulDequantized<BlockQ3_K>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q4_K: QuantizedRowKernels.MatMulDequantized<BlockQ4_K>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q5_K: QuantizedRowKernels.MatMulDequantized<BlockQ5_K>(_data, Rows, Columns, x, y, n, pool); break;
            case TensorType.Q6_K: QuantizedRowKernels.MatMulDequantized<BlockQ6_K>(_data, Rows, Columns, x, y, n, pool); break;
            default: throw Unsupported();
        }
    }

    private NotSupportedException Unsupported() => new($"{Type} is not supported as a weight matrix type");

    private sealed class PinnedArray(GCHandle handle)
    {
        ~PinnedArray() => handle.Free();
    }
}
