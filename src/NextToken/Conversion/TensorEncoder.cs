using System.Buffers;
using NextToken.Numerics;
using NextToken.Numerics.Quantization;

namespace NextToken.Conversion;

/// <summary>
/// Produces a tensor's rows, encodes them as a GGML type and streams the bytes out, in parallel.
/// </summary>
/// <remarks>
/// Performance: rows are taken in chunks of about <see cref="ChunkElements"/> values; a window of twice as many chunks
/// as there are cores is filled and encoded in parallel, then written in order. This keeps every core busy while
/// holding only a few megabytes, so a model of any size streams to disk. Encoding the whole tensor at once was no
/// faster and needed the tensor's full size in memory; one chunk per core left cores idle behind the slowest chunk.
/// </remarks>
internal static class TensorEncoder
{
    /// <summary>Fills <paramref name="destination"/> with rows <paramref name="firstRow"/>… (<c>rowCount × columns</c> values).</summary>
    public delegate void RowSource(long firstRow, int rowCount, Span<float> destination);

    /// <summary>Values per chunk of work.</summary>
    public const int ChunkElements = 1 << 18;

    /// <summary>
    /// Writes <paramref name="rows"/> rows of <paramref name="columns"/> values from <paramref name="source"/> as
    /// <paramref name="type"/>; <paramref name="progress"/> gets the number of this tensor's values written so far, after each window.
    /// </summary>
    public static void Write(Stream stream, TensorType type, long rows, int columns, RowSource source, Action<long>? progress = null,
        CancellationToken cancellation = default)
    {
        var rowsPerChunk = (int)Math.Clamp(ChunkElements / columns, 1, rows);
        var chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        var window = Math.Max(2, Environment.ProcessorCount * 2);
        var encoded = new byte[window][];
        for (long start = 0; start < chunks; start += window)
        {
            cancellation.ThrowIfCancellationRequested();
            var count = (int)Math.Min(window, chunks - start);
            Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellation }, i =>
            {
                var first = (start + i) * rowsPerChunk;
                var rowCount = (int)Math.Min(rowsPerChunk, rows - first);
                var length = rowCount * columns;
                var values = ArrayPool<float>.Shared.Rent(length);
                try
                {
                    source(first, rowCount, values.AsSpan(0, length));
                    encoded[i] = Quantizer.Quantize(type, values.AsSpan(0, length), columns);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(values);
                }
            });
            for (var i = 0; i < count; i++)
            {
                stream.Write(encoded[i]);
                encoded[i] = null!;
            }
            progress?.Invoke(Math.Min(rows, (start + count) * rowsPerChunk) * columns);
        }
    }
}
