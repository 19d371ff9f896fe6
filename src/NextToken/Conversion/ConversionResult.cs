using NextToken.Numerics;

namespace NextToken.Conversion;

/// <summary>What a conversion wrote: the file, its size, its tensors by type, and any notes (type fallbacks).</summary>
/// <param name="Path">The GGUF file written.</param>
/// <param name="ParameterCount">Elements of all tensors.</param>
/// <param name="FileBytes">Size of the file.</param>
/// <param name="TensorTypes">How many tensors of each type the file holds.</param>
/// <param name="Notes">Human-readable remarks, e.g. "ffn_down: rows of 172 are not whole Q4_0 blocks; written as F16".</param>
public sealed record ConversionResult(string Path, long ParameterCount, long FileBytes, IReadOnlyDictionary<TensorType, int> TensorTypes, IReadOnlyList<string> Notes);
