namespace NextToken.Generation.Processing;

/// <summary>
/// Draws a candidate at random in proportion to its probability, from a seeded <see cref="Pcg32"/>: the same seed and
/// the same candidates always give the same token. The draw walks the candidates in id order (whatever the current
/// order), so it does not depend on whether an earlier step sorted them.
/// </summary>
public sealed class MultinomialSampler : LogitsProcessor
{
    private Pcg32 _random;

    /// <param name="seed">The generator's seed.</param>
    public MultinomialSampler(ulong seed)
    {
        Seed = seed;
        _random = new Pcg32(seed);
    }

    private MultinomialSampler(ulong seed, Pcg32 random)
    {
        Seed = seed;
        _random = random;
    }

    public ulong Seed { get; }

    public override string Name => "multinomial";

    public override void Apply(CandidateSet candidates, DecodingContext context)
    {
        candidates.EnsureProbabilities();
        candidates.Selected = Draw(candidates.Ids, candidates.Probabilities, _random);
    }

    /// <summary>Index of a draw from <paramref name="weights"/> (not necessarily normalised), walking in id order.</summary>
    internal static int Draw(ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, Pcg32 random)
    {
        var order = new int[ids.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var idCopy = ids.ToArray();
        Array.Sort(idCopy, order);
        double total = 0;
        foreach (var w in weights) total += w;
        if (!(total > 0)) throw new InvalidOperationException("no candidate has a positive probability");
        var target = random.NextDouble() * total;
        double cumulative = 0;
        var last = -1;
        foreach (var index in order)
        {
            if (weights[index] <= 0) continue;
            cumulative += weights[index];
            last = index;
            if (target < cumulative) return index;
        }
        return last; // rounding left the target just past the total
    }

    /// <summary>Draws a token id from a full-vocabulary row of weights (used by speculative decoding).</summary>
    internal int DrawFromRow(ReadOnlySpan<float> weights)
    {
        var ids = new int[weights.Length];
        for (var i = 0; i < ids.Length; i++) ids[i] = i;
        return Draw(ids, weights, _random);
    }

    /// <summary>A uniform double in [0, 1) from this sampler's generator.</summary>
    internal double NextUniform() => _random.NextDouble();

    public override void Reset() => _random = new Pcg32(Seed);

    public override LogitsProcessor Clone() => new MultinomialSampler(Seed, _random.Clone());
}
