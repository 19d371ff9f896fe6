namespace NextToken.Numerics;

/// <summary>
/// A model's rotary position embedding: the inverse frequencies θ_i = base^(−2i/d) (after any scaling) and the
/// pairing convention. <see cref="Rotate"/> turns every head of a query or key vector by position · θ_i.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly double[] _inverseFrequencies;

    /// <summary>Creates the embedding.</summary>
    /// <param name="dimensions">How many leading elements of each head rotate (the head size unless partial rotary).</param>
    /// <param name="theta">The frequency base (<c>rope_theta</c>, 10000 for Llama 2).</param>
    /// <param name="style">Which elements are paired.</param>
    /// <param name="scaling">Optional frequency scaling.</param>
    /// <param name="frequencyFactors">Optional per-frequency divisors (GGUF <c>rope_freqs</c>), length dimensions/2.</param>
    public RotaryEmbedding(int dimensions, double theta, RopeStyle style, RopeScaling? scaling = null, float[]? frequencyFactors = null)
    {
        if (dimensions <= 0 || dimensions % 2 != 0) throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "rotary dimensions must be a positive even number");
        if (!(theta > 0)) throw new ArgumentOutOfRangeException(nameof(theta), theta, "the rotary base must be positive");
        var half = dimensions / 2;
        if (frequencyFactors is not null && frequencyFactors.Length != half)
            throw new ArgumentException($"expected {half} frequency factors, got {frequencyFactors.Length}", nameof(frequencyFactors));
        Dimensions = dimensions;
        Style = style;
        _inverseFrequencies = new double[half];
        for (var i = 0; i < half; i++)
        {
            var frequency = Math.Pow(theta, -2.0 * i / dimensions);
            if (scaling is not null) frequency = Scale(frequency, scaling);
            if (frequencyFactors is not null) frequency /= frequencyFactors[i];
            _inverseFrequencies[i] = frequency;
        }
    }

    /// <summary>Elements of each head that rotate.</summary>
    public int Dimensions { get; }

    /// <summary>The pairing convention.</summary>
    public RopeStyle Style { get; }

    /// <summary>θ_i after scaling, i &lt; Dimensions/2.</summary>
    public IReadOnlyList<double> InverseFrequencies => _inverseFrequencies;

    /// <summary>Rotates each of the <paramref name="headCount"/> heads of <paramref name="vector"/> ([headCount, headSize]) for <paramref name="position"/>.</summary>
    public void Rotate(Span<float> vector, int headCount, int headSize, int position)
    {
        if (headSize < Dimensions) throw new ArgumentException($"heads of {headSize} cannot rotate {Dimensions} dimensions", nameof(headSize));
        if (vector.Length < headCount * headSize) throw new ArgumentException($"vector needs {headCount}×{headSize} values", nameof(vector));
        var half = Dimensions / 2;
        Span<float> cos = stackalloc float[half];
        Span<float> sin = stackalloc float[half];
        for (var i = 0; i < half; i++)
        {
            var angle = position * _inverseFrequencies[i];
            cos[i] = (float)Math.Cos(angle);
            sin[i] = (float)Math.Sin(angle);
        }
        for (var h = 0; h < headCount; h++)
        {
            var head = vector.Slice(h * headSize, Dimensions);
            if (Style == RopeStyle.Interleaved) Rope.ApplyInterleaved(head, cos, sin);
            else Rope.ApplyHalf(head, cos, sin);
        }
    }

    private static double Scale(double frequency, RopeScaling scaling)
    {
        switch (scaling.Type)
        {
            case "linear":
                return frequency / scaling.Factor;
            case "llama3":
                var lowWavelength = scaling.OriginalContextLength / scaling.LowFrequencyFactor;
                var highWavelength = scaling.OriginalContextLength / scaling.HighFrequencyFactor;
                var wavelength = 2 * Math.PI / frequency;
                if (wavelength < highWavelength) return frequency;
                if (wavelength > lowWavelength) return frequency / scaling.Factor;
                var smooth = (scaling.OriginalContextLength / wavelength - scaling.LowFrequencyFactor)
                             / (scaling.HighFrequencyFactor - scaling.LowFrequencyFactor);
                return (1 - smooth) * frequency / scaling.Factor + smooth * frequency;
            default:
                throw new ArgumentException($"rope scaling type '{scaling.Type}' is not supported (linear, llama3 are)", nameof(scaling));
        }
    }
}
