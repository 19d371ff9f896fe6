namespace NextToken.Generation.Processing;

/// <summary>Steps applied one after another; itself a <see cref="LogitsProcessor"/>.</summary>
public sealed class ProcessorChain : LogitsProcessor
{
    private readonly List<LogitsProcessor> _steps;

    public ProcessorChain(IEnumerable<LogitsProcessor> steps) => _steps = [.. steps];

    public ProcessorChain(params LogitsProcessor[] steps) : this((IEnumerable<LogitsProcessor>)steps) { }

    /// <summary>The steps in order.</summary>
    public IReadOnlyList<LogitsProcessor> Steps => _steps;

    public override string Name => "chain(" + string.Join(", ", _steps.Select(s => s.Name)) + ")";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        foreach (var step in _steps) step.Apply(candidates, context);
    }

    public override void Accept(int token)
    {
        foreach (var step in _steps) step.Accept(token);
    }

    public override void Reset()
    {
        foreach (var step in _steps) step.Reset();
    }

    public override LogitsProcessor Clone() => new ProcessorChain(_steps.Select(s => s.Clone()));
}
