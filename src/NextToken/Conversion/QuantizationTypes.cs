using NextToken.Numerics;
using NextToken.Numerics.Quantization;

namespace NextToken.Conversion;

/// <summary>
/// Which GGML type each tensor of a model gets when the model is written as a given type, following the rules of
/// llama.cpp's quantizer: vectors (norms, biases) and position tables stay F32; the output projection gets Q6_K for the 4- and 5-bit
/// types and the K-quants (Q8_0 for Q8_0, itself for float types); every other matrix gets the requested type. A matrix
/// whose rows are not whole blocks of its type falls back the way llama.cpp falls back (Q4_K → Q5_0, Q5_K → Q5_1,
/// Q6_K → Q8_0, Q2_K/Q3_K → Q4_0) and, when even 32-element blocks do not fit, to F16.
/// </summary>
public static class QuantizationTypes
{
    /// <summary>The type names <see cref="Parse"/> accepts, in the order help text lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["f32", "f16", "bf16", "q8_0", "q6_k", "q5_k", "q5_1", "q5_0", "q4_k", "q4_1", "q4_0", "q3_k", "q2_k"];

    /// <summary>Parses a type name such as <c>q4_0</c>, <c>Q8_0</c>, <c>f16</c>.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static TensorType Parse(string name, string parameterName = "type")
    {
        ArgumentNullException.ThrowIfNull(name);
        var normalized = name.Trim().ToLowerInvariant();
        foreach (var candidate in Names)
            if (candidate == normalized) return Enum.Parse<TensorType>(candidate.ToUpperInvariant());
        throw new ArgumentException($"unknown type '{name}' (expected one of {string.Join(", ", Names)})", parameterName);
    }

    /// <summary>The display name of a type, lower case as on the command line.</summary>
    public static string NameOf(TensorType type) => type.ToString().ToLowerInvariant();

    /// <summary>True when <paramref name="type"/> can be the type a model is written as.</summary>
    public static bool IsTarget(TensorType type) => Quantizer.CanQuantize(type);

    /// <summary>Elements per block of <paramref name="type"/> (1 for float types).</summary>
    public static int BlockSize(TensorType type) => WeightMatrix.BlockSize(type);

    /// <summary>llama.cpp's <c>general.file_type</c> number (<c>llama_ftype</c>) for a model written as <paramref name="type"/>.</summary>
    public static uint FileType(TensorType type) => type switch
    {
        TensorType.F32 => 0,
        TensorType.F16 => 1,
        TensorType.Q4_0 => 2,
        TensorType.Q4_1 => 3,
        TensorType.Q8_0 => 7,
        TensorType.Q5_0 => 8,
        TensorType.Q5_1 => 9,
        TensorType.Q2_K => 10,
        TensorType.Q3_K => 11, // Q3_K_S: every matrix Q3_K
        TensorType.Q4_K => 14, // Q4_K_S
        TensorType.Q5_K => 16, // Q5_K_S
        TensorType.Q6_K => 18,
        TensorType.BF16 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a type a model is written as"),
    };

    /// <summary>True for the block-quantized types (not F32, F16, BF16).</summary>
    public static bool IsQuantized(TensorType type) => type is not (TensorType.F32 or TensorType.F16 or TensorType.BF16);

    /// <summary>The default type of the output projection (<c>output.weight</c>) when a model is written as <paramref name="type"/>.</summary>
    public static TensorType OutputType(TensorType type) => type switch
    {
        TensorType.F32 or TensorType.F16 or TensorType.BF16 or TensorType.Q8_0 => type,
        _ => TensorType.Q6_K,
    };

    /// <summary>
    /// The type a tensor gets: F32 for vectors, <paramref name="output"/> for the output projection,
    /// <paramref name="type"/> for other matrices, then the fallback when its rows are not whole blocks.
    /// </summary>
    /// <param name="name">GGUF tensor name.</param>
    /// <param name="dimensions">GGUF dimensions, row length first.</param>
    /// <param name="type">The type the model is written as.</param>
    /// <param name="output">The output projection's type (<see cref="OutputType"/> unless overridden).</param>
    public static TensorType Choose(string name, long[] dimensions, TensorType type, TensorType output)
    {
        if (dimensions.Length < 2 || dimensions.Skip(1).All(d => d == 1)) return TensorType.F32;
        // Position tables are added, not multiplied: llama.cpp never quantizes them.
        if (name == "position_embd.weight") return TensorType.F32;
        var chosen = name == "output.weight" ? output : type;
        return Fallback(chosen, dimensions[0]);
    }

    /// <summary><paramref name="type"/> if rows of <paramref name="columns"/> are whole blocks of it, else the nearest type whose blocks fit.</summary>
    public static TensorType Fallback(TensorType type, long columns)
    {
        while (columns % BlockSize(type) != 0)
        {
            type = type switch
            {
                TensorType.Q2_K or TensorType.Q3_K => TensorType.Q4_0,
                TensorType.Q4_K => TensorType.Q5_0,
                TensorType.Q5_K => TensorType.Q5_1,
                TensorType.Q6_K => TensorType.Q8_0,
                _ => TensorType.F16,
            };
        }
        return type;
    }
}
