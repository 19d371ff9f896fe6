using System.Runtime.InteropServices;
using NextToken.Files;
using NextToken.Numerics;

namespace NextToken.Conversion;

/// <summary>
/// A tensor of the GGUF file being written, and where its values come from: a float tensor of the input (F32, F16 or
/// BF16), read as it is, with its rows reordered (llama.cpp's Q/K permutation), or transposed (GPT-2's Conv1D
/// <c>[in, out]</c> weights).
/// </summary>
/// <param name="Name">GGUF name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Dimensions">GGUF dimensions, row length first.</param>
/// <param name="Fill">Fills rows of the tensor as written.</param>
internal sealed record SourceTensor(string Name, long[] Dimensions, TensorEncoder.RowSource Fill)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => a * d);

    /// <summary>Row length (GGUF <c>ne[0]</c>).</summary>
    public int Columns => (int)Dimensions[0];

    /// <summary>Number of rows (the product of the other dimensions).</summary>
    public long Rows => ElementCount / Dimensions[0];

    /// <summary>The input tensor as stored: GGUF dimensions are its shape reversed.</summary>
    public static SourceTensor Direct(string name, TensorView view) =>
        new(name, view.Shape.Reverse().ToArray(), (first, count, destination) => ReadElements(view, first * view.Shape[^1], destination));

    /// <summary>
    /// A [rows, columns] matrix whose row <c>r</c> is input row <c>permutation(r)</c>.
    /// </summary>
    public static SourceTensor PermutedRows(string name, TensorView view, Func<long, long> permutation)
    {
        var columns = view.Shape[^1];
        var rows = view.ElementCount / columns;
        return new(name, [columns, rows], (first, count, destination) =>
        {
            for (var r = 0; r < count; r++)
                ReadElements(view, permutation(first + r) * columns, destination.Slice((int)(r * columns), (int)columns));
        });
    }

    /// <summary>An input stored as [columns, rows] (Conv1D <c>[in, out]</c>), written as the [rows, columns] matrix it means.</summary>
    public static SourceTensor Transposed(string name, TensorView view)
    {
        if (view.Shape.Length != 2) throw new FileFormatException("model", name, $"expected a matrix, found shape {view.ShapeText}");
        long stored0 = view.Shape[0], stored1 = view.Shape[1];
        // Written: stored1 rows of stored0 columns; element (r, c) is stored element (c, r).
        return new(name, [stored0, stored1], (first, count, destination) =>
        {
            // Stored row c holds column c of the written matrix; only the part for these rows is read.
            var part = new float[count];
            var columns = (int)stored0;
            for (var c = 0; c < columns; c++)
            {
                ReadElements(view, c * stored1 + first, part);
                for (var r = 0; r < count; r++) destination[r * columns + c] = part[r];
            }
        });
    }

    /// <summary>A tensor computed in memory (e.g. rope frequency factors).</summary>
    public static SourceTensor FromValues(string name, float[] values, long[] dimensions) =>
        new(name, dimensions, (first, count, destination) =>
            values.AsSpan((int)(first * dimensions[0]), destination.Length).CopyTo(destination));

    /// <summary>Reads <c>destination.Length</c> elements from element <paramref name="start"/> as floats.</summary>
    private static unsafe void ReadElements(TensorView view, long start, Span<float> destination)
    {
        switch (view.Type)
        {
            case TensorType.F32:
                new ReadOnlySpan<float>((float*)view.Data + start, destination.Length).CopyTo(destination);
                break;
            case TensorType.F16:
                var halves = new ReadOnlySpan<Half>((Half*)view.Data + start, destination.Length);
                for (var i = 0; i < halves.Length; i++) destination[i] = (float)halves[i];
                break;
            case TensorType.BF16:
                var bits = new ReadOnlySpan<ushort>((ushort*)view.Data + start, destination.Length);
                for (var i = 0; i < bits.Length; i++) destination[i] = FloatConversion.FromBFloat16(bits[i]);
                break;
            default:
                throw new InvalidOperationException($"tensor '{view.Name}' of type {view.Type} cannot be read as floats");
        }
    }
}
