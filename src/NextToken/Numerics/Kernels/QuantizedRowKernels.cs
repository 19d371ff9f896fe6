using System.Buffers;
using NextToken.Numerics.Quantization;

namespace NextToken.Numerics.Kernels;

// Performance notes. One token (decode) reads every weight once, so it runs the integer dot product per row:
// the activation row is quantized once and stays in L1 while the rows stream past. Several tokens (prompts) are
// compute-bound: from 4 tokens on, rows are decoded to floats 4 at a time (the decode cost is shared by every token)
// and multiplied by the register-tiled float kernel, which runs 5–10× faster than one integer dot per (row, token)
// pair on this machine. Rows go to threads in chunks of 16 so a worker's rows are contiguous in memory.

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
            TBlock.DequantizeFast(source + (long)b * TBlock.BlockBytes, destination + b * TBlock.BlockElements);
    }

    /// <summary>From this many tokens on, weight tiles are decoded to floats once and multiplied by <see cref="TiledMatMul"/>.</summary>
    public const int TiledFromTokens = 4;

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
                if (n >= TiledFromTokens)
                {
                    MatMulQuantizedTiled<TBlock>(data, rows, columns, activations, y, n, pool);
                    return;
                }
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

    /// <summary>
    /// The prompt path of llama.cpp's arithmetic: the quantized activations decoded to floats (d·q, exact), then the
    /// tiled float product. Q8_1 products use llama.cpp's f16-rounded s = d·Σq for the weights' min term: the
    /// difference from the exact d·Σq is added back per block.
    /// </summary>
    private static void MatMulQuantizedTiled<TBlock>(byte* data, int rows, int columns, byte* activations, float* y, int n, ComputePool pool)
        where TBlock : IQuantizedBlock
    {
        var format = TBlock.Activation;
        var blocks = columns / TBlock.BlockElements;
        var blockBytes = ActivationQuantizer.BlockBytes(format);
        var size = ActivationQuantizer.BlockElements(format);
        var decoded = ArrayPool<float>.Shared.Rent(checked(n * columns));
        var minCorrection = format == ActivationFormat.Q8_1 ? ArrayPool<float>.Shared.Rent(n * blocks) : null;
        try
        {
            fixed (float* xd = decoded)
            fixed (float* correction = minCorrection)
            {
                for (long b = 0; b < (long)n * columns / size; b++)
                {
                    var block = activations + b * blockBytes;
                    var d = format == ActivationFormat.Q8_K ? *(float*)block : HalfConversion.Read(block);
                    var qs = (sbyte*)(block + (format == ActivationFormat.Q8_0 ? 2 : 4));
                    var sum = 0;
                    for (var j = 0; j < size; j++)
                    {
                        xd[b * size + j] = d * qs[j];
                        sum += qs[j];
                    }
                    if (correction != null) correction[b] = HalfConversion.Read(block + 2) - d * sum;
                }
                MatMulTiled<TBlock>(data, rows, columns, xd, y, n, pool, correction);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(decoded);
            if (minCorrection is not null) ArrayPool<float>.Shared.Return(minCorrection);
        }
    }

    /// <summary>
    /// Decodes 4 weight rows at a time to floats and multiplies them with every token. When <paramref name="minCorrection"/>
    /// is given ([n, blocks]), adds Σ_b m[r, b] · minCorrection[t, b], m being each block's f16 min at byte 2.
    /// </summary>
    private static void MatMulTiled<TBlock>(byte* data, int rows, int columns, float* x, float* y, int n, ComputePool pool, float* minCorrection)
        where TBlock : IQuantizedBlock
    {
        var blocks = columns / TBlock.BlockElements;
        var rowBytes = (long)blocks * TBlock.BlockBytes;
        var w = (nint)data;
        var input = (nint)x;
        var output = (nint)y;
        var correction = (nint)minCorrection;
        pool.For((rows + RowChunk - 1) / RowChunk, (first, last) =>
        {
            var buffer = t_rowBuffer;
            if (buffer is null || buffer.Length < TiledMatMul.TileRows * columns) t_rowBuffer = buffer = new float[TiledMatMul.TileRows * columns];
            fixed (float* tile = buffer)
            {
                var end = Math.Min(rows, last * RowChunk);
                for (var r = first * RowChunk; r < end; r += TiledMatMul.TileRows)
                {
                    var count = Math.Min(TiledMatMul.TileRows, end - r);
                    for (var i = 0; i < count; i++) DequantizeRow<TBlock>((byte*)w, rowBytes, r + i, columns, tile + i * columns);
                    TiledMatMul.RowsTimesTokens(tile, columns, count, (float*)input, n, columns, (float*)output + r, rows);
                    if (correction == 0) continue;
                    for (var i = 0; i < count; i++)
                    {
                        var row = (byte*)w + (r + i) * rowBytes;
                        for (var t = 0; t < n; t++)
                        {
                            var c = (float*)correction + (long)t * blocks;
                            var extra = 0f;
                            for (var b = 0; b < blocks; b++) extra += HalfConversion.Read(row + (long)b * TBlock.BlockBytes + 2) * c[b];
                            ((float*)output)[(long)t * rows + r + i] += extra;
                        }
                    }
                }
            }
        });
    }

    /// <summary>Exact arithmetic: each weight row dequantized once to float32, then float dot products with every token.</summary>
    public static void MatMulDequantized<TBlock>(byte* data, int rows, int columns, float* x, float* y, int n, ComputePool pool)
        where TBlock : IQuantizedBlock
    {
        if (n >= TiledFromTokens)
        {
            MatMulTiled<TBlock>(data, rows, columns, x, y, n, pool, null);
            return;
        }
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
