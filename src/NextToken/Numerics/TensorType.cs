namespace NextToken.Numerics;

/// <summary>
/// Element types of weight tensors, numbered as GGML/GGUF number them. Block types store a fixed number of values
/// (32, or 256 for the K-quants) in a fixed number of bytes; see <see cref="WeightMatrix.BlockSize"/> and
/// <see cref="WeightMatrix.BlockBytes"/>.
/// </summary>
public enum TensorType : uint
{
    /// <summary>32-bit IEEE float.</summary>
    F32 = 0,
    /// <summary>16-bit IEEE half.</summary>
    F16 = 1,
    /// <summary>32 values in 18 bytes: f16 scale, 4-bit quants centred on 8.</summary>
    Q4_0 = 2,
    /// <summary>32 values in 20 bytes: f16 scale and min, 4-bit quants.</summary>
    Q4_1 = 3,
    /// <summary>32 values in 22 bytes: f16 scale, 5-bit quants centred on 16.</summary>
    Q5_0 = 6,
    /// <summary>32 values in 24 bytes: f16 scale and min, 5-bit quants.</summary>
    Q5_1 = 7,
    /// <summary>32 values in 34 bytes: f16 scale, 8-bit quants.</summary>
    Q8_0 = 8,
    /// <summary>32 values in 36 bytes: f16 scale, f16 scale·sum, 8-bit quants (activations only).</summary>
    Q8_1 = 9,
    /// <summary>256 values in 84 bytes: 2-bit quants, 4-bit group scales and mins.</summary>
    Q2_K = 10,
    /// <summary>256 values in 110 bytes: 3-bit quants, 6-bit group scales.</summary>
    Q3_K = 11,
    /// <summary>256 values in 144 bytes: 4-bit quants, 6-bit group scales and mins.</summary>
    Q4_K = 12,
    /// <summary>256 values in 176 bytes: 5-bit quants, 6-bit group scales and mins.</summary>
    Q5_K = 13,
    /// <summary>256 values in 210 bytes: 6-bit quants, 8-bit group scales.</summary>
    Q6_K = 14,
    /// <summary>256 values in 292 bytes: f32 scale, 8-bit quants, group sums (activations only).</summary>
    Q8_K = 15,
    /// <summary>bfloat16: the top 16 bits of a float32.</summary>
    BF16 = 30,
}
