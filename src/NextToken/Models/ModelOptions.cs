namespace NextToken.Models;

/// <summary>How <see cref="LanguageModel.Load"/> sets up a model.</summary>
public sealed record ModelOptions
{
    /// <summary>Default options: one thread per core.</summary>
    public static ModelOptions Default { get; } = new();

    /// <summary>Compute threads; 0 means one per core.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Quantized matrices multiply 8-bit-quantized activations as llama.cpp does (true, the default: faster, and
    /// logits follow llama.cpp's), or dequantize to exact float arithmetic (false: follows a float32 reference).
    /// </summary>
    public bool QuantizeActivations { get; init; } = true;
}
