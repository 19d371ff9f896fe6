namespace NextToken.Generation.Processing;

/// <summary>Divides every logit by the temperature (<c>temperature</c>): below 1 sharpens, above 1 flattens.</summary>
public sealed class TemperatureProcessor : LogitsProcessor
{
    /// <param name="temperature">Strictly positive (temperature 0, greedy decoding, is chosen by the generator, not here).</param>
    public TemperatureProcessor(float temperature)
    {
        if (!(temperature > 0) || float.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a positive finite number");
        Temperature = temperature;
    }

    public float Temperature { get; }

    public override string Name => "temperature";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        if (Temperature == 1f) return;
        var logits = candidates.Logits;
        for (var i = 0; i < logits.Length; i++) logits[i] /= Temperature;
        var wasSorted = candidates.IsSorted;
        candidates.InvalidateProbabilities();
        if (wasSorted) candidates.Sort(); // order is unchanged by a positive scale; Sort is then a cheap re-mark
    }

    public override LogitsProcessor Clone() => new TemperatureProcessor(Temperature);
}
