using System.Runtime.CompilerServices;
using System.Buffers;
using NextToken.Numerics.Quantization;

namespace NextToken.Numerics.Kernels;

// Performance notes. One token (decode) reads every weight once, so it runs the integer dot product per row:
// the activation row is quantized once and stays in L1 while the rows stream past. Several tokens (prompts) are
// compute-bound: from 4 tokens on, rows are decoded to floats a block of columns at a time (the decode cost is
// shared by every token) and multiplied by the packed float kernel (PackedMatMul), which runs 5–10× faster than one
// integer dot per (row, token) pair on this machine. Rows go to threads in chunks of 16 so a worker's rows are contiguous in memory.
// Exact arithmetic for 1–3 tokens used to dequantize each row into a float buffer and then take float dots; fused
// dequantize-and-dot kernels (FusedDot) now widen each block in registers, 2–3× faster for the common types.

/// <summary>
/// Matrix products over block-quantized weights, generic over the block type so the JIT specialises each one.
/// Rows are split over the pool's workers in chunks of <see cref="RowChunk"/>; within a chunk every token is
/// multiplied before moving on, so a chunk's weight blocks are read from memory once for all tokens.
/// </summary>
internal static unsafe class QuantizedRowKernels
{
    /// <summary>Rows per unit of work handed to a thread.</summary>
    public const int RowChunk = 16;

    /// <summary>Tokens whose activations an integer tile pass keeps in cache together.</summary>
    private const int TileTokenGroup = 32;

    [ThreadStatic] private static float[]? t_rowBuffer;

    /// <summary>Writes row <paramref name="row"/>, dequantized, to <paramref name="destination"/>.</summary>
    public static void DequantizeRow<TBlock>(byte* data, long rowBytes, int row, int columns, float* destination)
        where TBlock : IQuantizedBlock =>
        DequantizeBlocks<TBlock>(data + row * rowBytes, columns / TBlock.BlockElements, destination);

    /// <summary>Writes <paramref name="blocks"/> consecutive blocks starting at <paramref name="source"/>, dequantized, to <paramref name="destination"/>.</summary>
    private static void DequantizeBlocks<TBlock>(byte* source, int blocks, float* destination)
        where TBlock : IQuantizedBlock
    {
        for (var b = 0; b < blocks; b++)
            TBlock.DequantizeFast(source + (long)b * TBlock.BlockBytes, destination + b * TBlock.BlockElements);
    }

    /// <summary>From this many tokens on, weights are decoded to floats once per block of columns and multiplied by <see cref="PackedMatMul"/>.</summary>
    public const int TiledFromTokens = 4;

    /// <summary>
    /// llama.cpp's arithmetic: activations quantized once to 8-bit blocks, integer dot products, for every token count.
    /// A float tile for prompts was tried here (activations decoded back to d·q): it is equal in exact arithmetic but
    /// rounds differently, and re-quantizing the next layer's activations turns those 1e-6 differences into logit
    /// differences of up to 0.1, so a prompt would no longer score like the same tokens fed one by one. Q8_0, Q4_0,
    /// Q4_K, Q5_K and Q6_K prompts go through integer tiles (<see cref="IntegerTile"/>) that repeat the one-token kernel's operations per
    /// pair, bit for bit; the other types run that kernel per (row, token).
    /// </summary>
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
                var tiled = n >= TiledFromTokens && IntegerTile.Supports(TBlock.Type);
                pool.For((rows + RowChunk - 1) / RowChunk, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (first, last) =>
                {
                    var end = Math.Min(rows, last * RowChunk);
                    if (tiled)
                    {
                        // 16 rows (≤ 100 KB) against 32 tokens' activations (≤ 230 KB) at a time, both in L2.
                        var (tileRows, tileTokens) = IntegerTile.Shape(TBlock.Type);
                        for (var chunk = first * RowChunk; chunk < end; chunk += RowChunk)
                        for (var group = 0; group < n; group += TileTokenGroup)
                        for (var r = chunk; r < Math.Min(end, chunk + RowChunk); r += tileRows)
                        for (var t = group; t < Math.Min(n, group + TileTokenGroup); t += tileTokens)
                        {
                            var weights = (byte*)w + r * rowBytes;
                            var act = (byte*)a + (long)t * activationRowBytes;
                            var target = (float*)output + (long)t * rows + r;
                            var rowCount = Math.Min(tileRows, end - r);
                            var tokenCount = Math.Min(tileTokens, Math.Min(n, group + TileTokenGroup) - t);
                            IntegerTile.Run<TBlock>(weights, rowBytes, rowCount, act, activationRowBytes, tokenCount, blocks, target, rows);
                        }
                        return;
                    }
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

    /// <summary>Prompts: weight rows decoded to floats a block of columns at a time and multiplied with packed tokens (<see cref="PackedMatMul"/>).</summary>
    private static void MatMulTiled<TBlock>(byte* data, int rows, int columns, float* x, float* y, int n, ComputePool pool)
        where TBlock : IQuantizedBlock
    {
        var rowBytes = (long)(columns / TBlock.BlockElements) * TBlock.BlockBytes;
        var w = (nint)data;
        PackedMatMul.Multiply((row, count, column, depth, destination) =>
        {
            var first = (byte*)w + row * rowBytes + (long)(column / TBlock.BlockElements) * TBlock.BlockBytes;
            for (var i = 0; i < count; i++)
                DequantizeBlocks<TBlock>(first + i * rowBytes, depth / TBlock.BlockElements, destination + i * depth);
        }, TBlock.BlockElements, rows, columns, x, y, n, pool);
    }

    /// <summary>Exact arithmetic: fused dequantize-and-dot per row (<see cref="FusedDot"/>) where the type has one, else each row dequantized once to float32, then float dot products with every token.</summary>
    public static void MatMulDequantized<TBlock>(byte* data, int rows, int columns, float* x, float* y, int n, ComputePool pool)
        where TBlock : IQuantizedBlock
    {
        if (n >= TiledFromTokens)
        {
            MatMulTiled<TBlock>(data, rows, columns, x, y, n, pool);
            return;
        }
        if (FusedDot.Supports<TBlock>())
        {
            MatMulFused<TBlock>(data, rows, columns, x, y, n, pool);
            return;
        }
        var rowBytes = (long)(columns / TBlock.BlockElements) * TBlock.BlockBytes;
        var w = (nint)data;
        var input = (nint)x;
        var output = (nint)y;
        pool.For((rows + RowChunk - 1) / RowChunk, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (first, last) =>
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

    /// <summary>Exact arithmetic for a few tokens: each row's blocks widened in registers and dotted with the tokens (<see cref="FusedDot"/>).</summary>
    private static void MatMulFused<TBlock>(byte* data, int rows, int columns, float* x, float* y, int n, ComputePool pool)
        where TBlock : IQuantizedBlock
    {
        var blocks = columns / TBlock.BlockElements;
        var rowBytes = (long)blocks * TBlock.BlockBytes;
        var sumCount = FusedDot.NeedsSums<TBlock>() ? columns / FusedDot.SumBlock : 0;
        var sumBuffer = ArrayPool<float>.Shared.Rent(Math.Max(1, sumCount * n));
        try
        {
            fixed (float* sums = sumBuffer)
            {
                if (sumCount > 0)
                    for (var t = 0; t < n; t++) FusedDot.ActivationSums(x + (long)t * columns, columns, sums + t * sumCount);
                var w = (nint)data;
                var input = (nint)x;
                var output = (nint)y;
                var s = (nint)sums;
                pool.For((rows + RowChunk - 1) / RowChunk, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (first, last) =>
                {
                    var end = Math.Min(rows, last * RowChunk);
                    for (var r = first * RowChunk; r < end; r++)
                    for (var t = 0; t < n; t++)
                        ((float*)output)[(long)t * rows + r] = FusedDot.Row<TBlock>(
                            (byte*)w + r * rowBytes, (float*)input + (long)t * columns, (float*)s + t * sumCount, blocks);
                });
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sumBuffer);
        }
    }
}
