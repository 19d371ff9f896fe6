namespace NextToken.Models;

/// <summary>
/// Keys and values of every layer for one sequence: per layer two [capacity, kvLength] row-major arrays. Capacity
/// grows by doubling up to the session's maximum, so a long context costs memory only once it is used.
/// </summary>
public sealed class KvCache
{
    private readonly float[][] _keys;
    private readonly float[][] _values;

    /// <summary>Creates an empty cache.</summary>
    public KvCache(int layerCount, int kvLength, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layerCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kvLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        LayerCount = layerCount;
        KvLength = kvLength;
        MaxLength = maxLength;
        _keys = new float[layerCount][];
        _values = new float[layerCount][];
        for (var l = 0; l < layerCount; l++)
        {
            _keys[l] = [];
            _values[l] = [];
        }
    }

    public int LayerCount { get; }

    /// <summary>Floats per position per layer (key/value heads × head size).</summary>
    public int KvLength { get; }

    public int MaxLength { get; }

    /// <summary>Positions that fit without growing.</summary>
    public int Capacity => _keys[0].Length / KvLength;

    /// <summary>Grows every layer to hold at least <paramref name="length"/> positions.</summary>
    public void EnsureCapacity(int length)
    {
        if (length > MaxLength) throw new ArgumentOutOfRangeException(nameof(length), length, $"the cache holds at most {MaxLength} positions");
        if (length <= Capacity) return;
        var capacity = Math.Min(MaxLength, Math.Max(length, Math.Max(16, Capacity * 2)));
        for (var l = 0; l < LayerCount; l++)
        {
            Array.Resize(ref _keys[l], capacity * KvLength);
            Array.Resize(ref _values[l], capacity * KvLength);
        }
    }

    /// <summary>Layer <paramref name="layer"/>'s keys, [Capacity, KvLength].</summary>
    public Span<float> Keys(int layer) => _keys[layer];

    /// <summary>Layer <paramref name="layer"/>'s values, [Capacity, KvLength].</summary>
    public Span<float> Values(int layer) => _values[layer];

    /// <summary>A copy holding the first <paramref name="length"/> positions.</summary>
    public KvCache Clone(int length)
    {
        var copy = new KvCache(LayerCount, KvLength, MaxLength);
        if (length == 0) return copy;
        copy.EnsureCapacity(length);
        for (var l = 0; l < LayerCount; l++)
        {
            _keys[l].AsSpan(0, length * KvLength).CopyTo(copy._keys[l]);
            _values[l].AsSpan(0, length * KvLength).CopyTo(copy._values[l]);
        }
        return copy;
    }
}
