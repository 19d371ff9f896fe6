namespace NextToken.Models;

/// <summary>How <see cref="LanguageModel.Load"/> sets up a model.</summary>
public sealed record ModelOptions
{
    /// <summary>Default options: one thread per core.</summary>
    public static ModelOptions Default { get; } = new();

    /// <summary>Compute threads; 0 means one per core.</summary>
    public int Threads { get; init; }
}
