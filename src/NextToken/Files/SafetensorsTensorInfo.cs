namespace NextToken.Files;

/// <summary>One tensor of a safetensors header, after validation.</summary>
/// <param name="Name">Tensor name, e.g. <c>model.layers.0.self_attn.q_proj.weight</c>.</param>
/// <param name="DType">The header's dtype string: "F32", "F16", "BF16", "I64"…</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Offset">Absolute offset of the first byte in the file.</param>
/// <param name="ByteLength">Bytes of data.</param>
public sealed record SafetensorsTensorInfo(string Name, string DType, long[] Shape, long Offset, long ByteLength)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
}
