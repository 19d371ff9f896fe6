using System.Buffers;
using NextToken.Numerics.Quantization;

namespace NextToken.Numerics.Kernels;

/// <summary>
/// Matrix products over block-quantized weights, generic over the block type so the JIT specialises each one.
/// Rows are split over the pool's workers in chunks of <see cref="RowChunk"/>; within a chunk every token is
/// multiplied before moving on, so a chunk's weight blocks are read from memory once for all tokens.
/// </summary>
internal static unsafe class QuantizedRowKernels
{
    /// <summary>Rows per unit of work handed to a thread.</summary>
    public const int RowChunk = 16;

    [ThreadStatic] private static float[]? t_rowBuffer;

    /// <summary>Writes row <paramref name="row"/>, dequantized, to <paramref name="destination"/>.</summary>
    public static void DequantizeRow<TBlock>(byte* data, long rowBytes, int row, int columns, float* destination)
        where TBlock : IQuantizedBlock
    {
        var source = data + row * rowBytes;
        var blocks = columns / TBlock.BlockElements;
        for (var b = 0; b < blocks; b++)
            TBlock.Dequantize(source + (long)b * TBlock.BlockBytes, destination + b * TBlock.BlockElements);
    }

    /// <summary>llama.cpp's arithmetic: activations quantized once to 8-bit blocks, integer dot products.</summary>
    public static void MatMulQuantized<TBlock>(byte* data, int rows, int columns, float* x, float* y, int n, ComputePool pool)
        where TBlock : IQuantizedBlock
    {
        var blocks = columns / TBlock.BlockElements;
        var activationRowBytes = blocks * ActivationQuantizer.BlockBytes(TBlock.Activation);
        var rowBytes = (long)blocks * TBlock.BlockBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(checked(activationRowBytes * n));
        try
        {
            fixed (byte* activations = buffer)
            {
                for (var t = 0; t < n; t++)
                    ActivationQuantizer.Quantize(TBlock.Activation, x + (long)t * columns, activations + (long)t * activationRowBytes, columns);
                var a = (nint)activations;
                var w = (nint)data;
                var output = (nint)y;
                pool.For((rows + RowChunk - 1) / RowChunk, (first, last) =>
                {
                    var end = Math.Min(rows, last * RowChunk);
                    for (var t = 0; t < n; t++)
                    {
                        var act = (byte*)a + (long)t * activationRowBytes;
                        var yt = (float*)output + (long)t * rows;
                        for (var r = first * RowChunk; r < end; r++)
                            yt[r] = TBlock.DotQuantized((byte*)w + r * rowBytes, act, blocks);
                    }
                });
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Exact arithmetic: each weight row dequantized once to float32, then float dot products with every token.</summary>
    public static void MatMulDequantized<TBlock>(byte* data, int rows, int columns, float* x, float* y, int n, ComputePool pool)
        where TBlock : IQuantizedBlock
    {
        var rowBytes = (long)(columns / TBlock.BlockElements) * TBlock.BlockBytes;
        var w = (nint)data;
        var input = (nint)x;
        var output = (nint)y;
        pool.For((rows + RowChunk - 1) / RowChunk, (first, last) =>
        {
            var buffer = t_rowBuffer;
            if (buffer is null || buffer.Length < columns) t_rowBuffer = buffer = new float[columns];
            fixed (float* row = buffer)
            {
                var end = Math.Min(rows, last * RowChunk);
                for (var r = first * RowChunk; r < end; r++)
                {
                    DequantizeRow<TBlock>((byte*)w, rowBytes, r, columns, row);
                    for (var t = 0; t < n; t++)
                        ((float*)output)[(long)t * rows + r] = FloatDot.F32(row, (float*)input + (long)t * columns, columns);
                }
            }
        });
    }
}
