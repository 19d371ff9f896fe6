namespace NextToken.Generation.Processing;

/// <summary>
/// The PCG32 random number generator (PCG-XSH-RR with 64-bit state, O'Neill 2014), seeded as the reference
/// <c>pcg32_srandom_r(initstate, initseq)</c> does. NextToken uses it instead of <see cref="Random"/>, whose algorithm
/// is unspecified, so that a seed gives the same samples on every platform and .NET version.
/// </summary>
public sealed class Pcg32
{
    private const ulong Multiplier = 6364136223846793005UL;
    private ulong _state;
    private readonly ulong _increment;

    /// <param name="seed">The initial state (<c>initstate</c>).</param>
    /// <param name="sequence">Selects one of 2^63 independent streams (<c>initseq</c>).</param>
    public Pcg32(ulong seed, ulong sequence = 54)
    {
        _increment = (sequence << 1) | 1UL;
        _state = 0;
        NextUInt32();
        _state += seed;
        NextUInt32();
    }

    private Pcg32(ulong state, ulong increment, bool _)
    {
        _state = state;
        _increment = increment;
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt32()
    {
        var old = _state;
        _state = unchecked(old * Multiplier + _increment);
        var xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        var rotation = (int)(old >> 59);
        return (xorShifted >> rotation) | (xorShifted << ((-rotation) & 31));
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        var bits = ((ulong)NextUInt32() << 32) | NextUInt32();
        return (bits >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>An independent copy in the same state.</summary>
    public Pcg32 Clone() => new(_state, _increment, false);
}
