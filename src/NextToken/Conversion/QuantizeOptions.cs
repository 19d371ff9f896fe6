using NextToken.Numerics;

namespace NextToken.Conversion;

/// <summary>How <see cref="ModelQuantizer"/> writes a model.</summary>
public sealed record QuantizeOptions
{
    /// <summary>The type of the matrices (<c>--type</c>); vectors stay F32 and the output projection follows llama.cpp's choice.</summary>
    public TensorType Type { get; init; } = TensorType.Q8_0;

    /// <summary>The type of <c>output.weight</c>; null means llama.cpp's choice (<see cref="QuantizationTypes.OutputType"/>). <c>--output-type</c>.</summary>
    public TensorType? OutputType { get; init; }

    /// <summary><c>general.name</c>; null keeps the input's name (or the folder's name for Hugging Face input).</summary>
    public string? Name { get; init; }
}
