namespace NextToken.Models;

/// <summary>How <see cref="LanguageModel.Load"/> sets up a model.</summary>
public sealed record ModelOptions
{
    /// <summary>Default options: one thread per core.</summary>
    public static ModelOptions Default { get; } = new();

    /// <summary>Compute threads; 0 means one per core.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Quantized matrices dequantize to exact float32 arithmetic (false, the default: logits follow a float32
    /// reference, prompts and single tokens compute the same numbers, and prompts take the fast tiled path), or
    /// multiply 8-bit-quantized activations in integers as llama.cpp does (true: logits follow llama.cpp's).
    /// </summary>
    public bool QuantizeActivations { get; init; }
}
