namespace NextToken.Generation;

/// <summary>Why generation stopped (OpenAI's <c>finish_reason</c>, plus cancellation).</summary>
public enum FinishReason
{
    /// <summary><c>max_new_tokens</c> were generated, or the model's context is full.</summary>
    Length,

    /// <summary>An end-of-sequence token was generated.</summary>
    Eos,

    /// <summary>The text reached one of the stop strings.</summary>
    Stop,

    /// <summary>The caller's <see cref="CancellationToken"/> was cancelled.</summary>
    Cancelled,
}
