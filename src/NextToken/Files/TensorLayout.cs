using NextToken.Numerics;

namespace NextToken.Files;

/// <summary>How elements of each <see cref="TensorType"/> are packed: elements per block and bytes per block (GGML's layout).</summary>
internal static class TensorLayout
{
    /// <summary>Elements and bytes per block, or false for a type NextToken does not know.</summary>
    public static bool TryGetBlock(TensorType type, out int blockElements, out int blockBytes)
    {
        (blockElements, blockBytes) = type switch
        {
            TensorType.F32 => (1, 4),
            TensorType.F16 => (1, 2),
            TensorType.BF16 => (1, 2),
            TensorType.Q4_0 => (32, 18),
            TensorType.Q4_1 => (32, 20),
            TensorType.Q5_0 => (32, 22),
            TensorType.Q5_1 => (32, 24),
            TensorType.Q8_0 => (32, 34),
            TensorType.Q8_1 => (32, 36),
            TensorType.Q2_K => (256, 84),
            TensorType.Q3_K => (256, 110),
            TensorType.Q4_K => (256, 144),
            TensorType.Q5_K => (256, 176),
            TensorType.Q6_K => (256, 210),
            TensorType.Q8_K => (256, 292),
            _ => (0, 0),
        };
        return blockElements > 0;
    }

    /// <summary>Bytes of a row of <paramref name="columns"/> elements, or -1 when columns is not whole blocks.</summary>
    public static long RowBytes(TensorType type, long columns)
    {
        if (!TryGetBlock(type, out var elements, out var bytes)) throw new ArgumentOutOfRangeException(nameof(type), type, "unknown tensor type");
        return columns % elements == 0 ? columns / elements * bytes : -1;
    }

    /// <summary>A display name: "F32", "Q4_K"… or "type 42" for numbers GGML has but NextToken does not.</summary>
    public static string Name(TensorType type) => Enum.IsDefined(type) ? type.ToString() : $"type {(uint)type}";
}
