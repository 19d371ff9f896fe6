namespace NextToken.Models;

/// <summary>What a forward pass returns beyond the last position's logits. Everything is off by default and costs nothing when off.</summary>
public sealed record ForwardOptions
{
    /// <summary>Logits of the last position only (generation).</summary>
    public static ForwardOptions LastLogits { get; } = new();

    /// <summary>Logits of every position (scoring, <c>model(**inputs).logits</c>).</summary>
    public static ForwardOptions AllLogits { get; } = new() { AllPositions = true };

    /// <summary>Return logits for every fed position, not just the last.</summary>
    public bool AllPositions { get; init; }

    /// <summary>Return the hidden state before the first layer and after every layer.</summary>
    public bool HiddenStates { get; init; }

    /// <summary>Return every layer's attention probabilities.</summary>
    public bool Attentions { get; init; }
}
