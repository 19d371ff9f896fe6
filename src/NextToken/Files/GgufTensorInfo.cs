using NextToken.Numerics;

namespace NextToken.Files;

/// <summary>One entry of a GGUF tensor directory, after validation.</summary>
/// <param name="Name">Tensor name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Type">Element type.</param>
/// <param name="Dimensions">GGUF order: innermost first (<c>ne[0]</c> is the row length).</param>
/// <param name="Offset">Absolute offset of the first byte in the file.</param>
/// <param name="ByteLength">Bytes of data.</param>
public sealed record GgufTensorInfo(string Name, TensorType Type, long[] Dimensions, long Offset, long ByteLength)
{
    /// <summary>The shape outermost first, as PyTorch and safetensors write it: [rows, columns] for a matrix.</summary>
    public long[] Shape => Dimensions.Reverse().ToArray();

    /// <summary>Number of elements.</summary>
    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => a * d);
}
