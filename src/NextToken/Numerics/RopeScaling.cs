namespace NextToken.Numerics;

/// <summary>
/// How a model stretches its rotary frequencies beyond the context it was trained on (Hugging Face <c>rope_scaling</c>).
/// <c>"linear"</c> divides every frequency by <see cref="Factor"/>; <c>"llama3"</c> divides only the low frequencies,
/// blending between <see cref="LowFrequencyFactor"/> and <see cref="HighFrequencyFactor"/> wavelengths.
/// </summary>
/// <param name="Type">"linear" or "llama3".</param>
/// <param name="Factor">How much longer the context is than the original.</param>
/// <param name="LowFrequencyFactor">llama3: wavelengths above original/low are scaled fully.</param>
/// <param name="HighFrequencyFactor">llama3: wavelengths below original/high are left alone.</param>
/// <param name="OriginalContextLength">llama3: the context the model was first trained with.</param>
public sealed record RopeScaling(string Type, double Factor, double LowFrequencyFactor = 1, double HighFrequencyFactor = 4, int OriginalContextLength = 8192);
