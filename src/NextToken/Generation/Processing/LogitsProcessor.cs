namespace NextToken.Generation.Processing;

/// <summary>
/// One step of logits processing or sampling over a <see cref="CandidateSet"/>, in the manner of llama.cpp's samplers:
/// a name, <see cref="Apply"/>, <see cref="Accept"/>, <see cref="Reset"/> and <see cref="Clone"/>. A
/// <see cref="ProcessorChain"/> is itself a processor. The built-in steps read what they need (the tokens so far) from
/// the <see cref="DecodingContext"/> rather than keeping it, so one chain serves several beams, experts or speculative
/// branches at once; <see cref="Accept"/> exists for steps that do keep state.
/// </summary>
public abstract class LogitsProcessor
{
    /// <summary>Short name for display ("top-p", "temperature"…).</summary>
    public abstract string Name { get; }

    /// <summary>Changes the candidates' logits, removes candidates, or (samplers) sets <see cref="CandidateSet.Selected"/>.</summary>
    public abstract void Apply(CandidateSet candidates, DecodingContext context);

    /// <summary>Told the token that was finally chosen. The built-in steps keep no history, so the default does nothing.</summary>
    public virtual void Accept(int token) { }

    /// <summary>Returns to the state it had when created (a sampler re-seeds its generator).</summary>
    public virtual void Reset() { }

    /// <summary>An independent copy carrying the same state.</summary>
    public abstract LogitsProcessor Clone();

    public override string ToString() => Name;
}
