namespace NextToken.Generation;

/// <summary>When beam search stops, as Hugging Face's <c>early_stopping</c> (True / False / "never").</summary>
public enum EarlyStopping
{
    /// <summary><c>False</c>: stop once no running beam can plausibly beat the finished ones, judging each by its current length (Hugging Face's default heuristic).</summary>
    Heuristic,

    /// <summary><c>True</c>: stop as soon as <c>num_beams</c> hypotheses have finished.</summary>
    True,

    /// <summary><c>"never"</c>: stop only when no running beam can beat the finished ones at any future length (the canonical beam search).</summary>
    Never,
}
