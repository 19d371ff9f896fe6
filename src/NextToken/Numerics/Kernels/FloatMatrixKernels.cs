using System.Runtime.CompilerServices;
using System.Buffers;
using System.Runtime.Intrinsics;
using NextToken.Numerics.Quantization;

namespace NextToken.Numerics.Kernels;

/// <summary>
/// Matrix products over F32, F16 and BF16 weights, stored row-major or transposed. With
/// <see cref="ComputePool.QuantizeActivations"/> set, F16 and BF16 products round the activations to the weight's
/// precision first, as llama.cpp does; F32 products are the same in both modes.
/// </summary>
internal static unsafe class FloatMatrixKernels
{
    /// <summary>Columns of the transposed layout handled per pass (a slice of y that stays in L1).</summary>
    private const int TransposedSlice = 256;

    /// <summary>
    /// y = W·x for every token. F16 rows are checked for infinities and NaN (and such rows computed exactly) unless
    /// <paramref name="halvesFinite"/> says an earlier product found none; returns true when this product checked
    /// every row and found none.
    /// </summary>
    public static bool MatMul(TensorType type, byte* data, int rows, int columns, float* x, float* y, int n, ComputePool pool, bool halvesFinite)
    {
        float[]? rounded = null;
        try
        {
            if (type != TensorType.F32 && pool.QuantizeActivations)
            {
                var count = n * columns;
                rounded = ArrayPool<float>.Shared.Rent(count);
                for (var i = 0; i < count; i++)
                    rounded[i] = type == TensorType.F16 ? HalfConversion.RoundToHalf(x[i]) : HalfConversion.BFloat16ToSingle(HalfConversion.ToBFloat16(x[i]));
            }
            fixed (float* r = rounded)
            {
                var input = (nint)(r != null ? r : x);
                var w = (nint)data;
                var output = (nint)y;
                var elementBytes = type == TensorType.F32 ? 4 : 2;
                if (n >= QuantizedRowKernels.TiledFromTokens)
                {
                    MatMulTiled(type, data, rows, columns, (float*)input, y, n, pool);
                    return false;
                }
                var specials = 0;
                pool.For((rows + QuantizedRowKernels.RowChunk - 1) / QuantizedRowKernels.RowChunk, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (first, last) =>
                {
                    var end = Math.Min(rows, last * QuantizedRowKernels.RowChunk);
                    for (var t = 0; t < n; t++)
                    {
                        var xt = (float*)input + (long)t * columns;
                        var yt = (float*)output + (long)t * rows;
                        for (var row = first * QuantizedRowKernels.RowChunk; row < end; row++)
                        {
                            var wr = (byte*)w + (long)row * columns * elementBytes;
                            if (type == TensorType.F16 && !halvesFinite)
                            {
                                yt[row] = FloatDot.F16((ushort*)wr, xt, columns, out var special);
                                if (special) specials = 1;
                            }
                            else
                            {
                                yt[row] = type switch
                                {
                                    TensorType.F32 => FloatDot.F32((float*)wr, xt, columns),
                                    TensorType.F16 => FloatDot.F16Finite((ushort*)wr, xt, columns),
                                    _ => FloatDot.BF16((ushort*)wr, xt, columns),
                                };
                            }
                        }
                    }
                });
                return type == TensorType.F16 && !halvesFinite && specials == 0;
            }
        }
        finally
        {
            if (rounded is not null) ArrayPool<float>.Shared.Return(rounded);
        }
    }

    /// <summary>Prompts: rows widened to floats a block of columns at a time and multiplied with packed tokens (<see cref="PackedMatMul"/>).</summary>
    private static void MatMulTiled(TensorType type, byte* data, int rows, int columns, float* x, float* y, int n, ComputePool pool)
    {
        var w = (nint)data;
        var elementBytes = type == TensorType.F32 ? 4 : 2;
        PackedMatMul.Multiply((row, count, column, depth, destination) =>
        {
            for (var i = 0; i < count; i++)
                ConvertRow(type, (byte*)w + ((long)(row + i) * columns + column) * elementBytes, destination + i * depth, depth);
        }, 1, rows, columns, x, y, n, pool);
    }

    /// <summary>Memory holds Wᵀ [columns, rows]: each worker owns a range of outputs and adds x[c]·Wᵀ[c, range] over c.</summary>
    public static void MatMulTransposed(TensorType type, byte* data, int rows, int columns, float* x, float* y, int n, ComputePool pool)
    {
        var w = (nint)data;
        var input = (nint)x;
        var output = (nint)y;
        var elementBytes = type == TensorType.F32 ? 4 : 2;
        pool.For((rows + TransposedSlice - 1) / TransposedSlice, (first, last) =>
        {
            var slice = stackalloc float[TransposedSlice];
            for (var start = first * TransposedSlice; start < Math.Min(rows, last * TransposedSlice); start += TransposedSlice)
            {
                var length = Math.Min(TransposedSlice, rows - start);
                for (var t = 0; t < n; t++) new Span<float>((float*)output + (long)t * rows + start, length).Clear();
                for (var c = 0; c < columns; c++)
                {
                    var wc = (byte*)w + ((long)c * rows + start) * elementBytes;
                    float* source;
                    if (type == TensorType.F32) source = (float*)wc;
                    else
                    {
                        ConvertRow(type, wc, slice, length);
                        source = slice;
                    }
                    for (var t = 0; t < n; t++)
                        FloatDot.AddScaled((float*)output + (long)t * rows + start, ((float*)input)[(long)t * columns + c], source, length);
                }
            }
        });
    }

    /// <summary>Widens <paramref name="count"/> F32/F16/BF16 values to floats.</summary>
    public static void ConvertRow(TensorType type, byte* source, float* destination, int count)
    {
        switch (type)
        {
            case TensorType.F32:
                new ReadOnlySpan<float>(source, count).CopyTo(new Span<float>(destination, count));
                break;
            case TensorType.F16:
            {
                var i = 0;
                if (Vector256.IsHardwareAccelerated)
                    for (; i + 8 <= count; i += 8)
                        FloatDot.HalfToSingle(FloatDot.Load8((ushort*)source + i)).Store(destination + i);
                for (; i < count; i++) destination[i] = HalfConversion.ToSingle(((ushort*)source)[i]);
                break;
            }
            default:
            {
                var i = 0;
                if (Vector256.IsHardwareAccelerated)
                    for (; i + 8 <= count; i += 8)
                        (FloatDot.Load8((ushort*)source + i) << 16).AsSingle().Store(destination + i);
                for (; i < count; i++) destination[i] = HalfConversion.BFloat16ToSingle(((ushort*)source)[i]);
                break;
            }
        }
    }

    /// <summary>Row <paramref name="row"/> of W from memory holding Wᵀ: element c is at [c, row].</summary>
    public static void GatherColumn(TensorType type, byte* data, int rows, int columns, int row, float* destination)
    {
        var elementBytes = type == TensorType.F32 ? 4 : 2;
        for (var c = 0; c < columns; c++)
            ConvertRow(type, data + ((long)c * rows + row) * elementBytes, destination + c, 1);
    }
}
