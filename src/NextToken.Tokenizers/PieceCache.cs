namespace NextToken.Tokenizers;

// Performance notes. Encoders remember what each piece (or word) of text became, because natural text repeats
// its pieces. This cache was a ConcurrentDictionary<string, T> looked up by span. Profiling a fresh tokenizer's
// first pass over 2 MB of English showed its cost on a miss: a lock per insert (Monitor.Enter's slow path was 12%
// of all samples, more than the merging itself), and asking its Count, which takes every bucket lock, had made
// each new piece cost ~40 µs. This table is lock-free: an insert claims an empty slot with one compare-exchange,
// a lookup is a hash and a probe with no writes, and entries are immutable once published. The hash is a fast
// non-randomized one; to keep chosen inputs from building long probe chains, probing stops after MaxProbes slots
// (such a piece is then simply not cached), and a full table is replaced by an empty one.

/// <summary>
/// A thread-safe, bounded map from short pieces of text to what they encode to, looked up by span with no
/// allocation. Any number of threads may look up and add at once; when it fills up it starts over empty.
/// </summary>
/// <typeparam name="TValue">The encoding of a piece (ids, or ids with spans).</typeparam>
internal sealed class PieceCache<TValue> where TValue : class
{
    private const int MaxProbes = 16;

    private sealed class Entry(string key, int hash, TValue value)
    {
        public readonly string Key = key;
        public readonly int Hash = hash;
        public readonly TValue Value = value;
    }

    private sealed class Table(int capacity)
    {
        public readonly Entry?[] Slots = new Entry?[capacity];
        public int Count;
    }

    private readonly int _capacity;
    private readonly int _limit;
    private Table? _table;   // made on the first add, so a tokenizer that never encodes holds no table

    /// <param name="limit">How many pieces to hold before starting over (the table has twice as many slots, rounded to a power of two).</param>
    public PieceCache(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        _limit = limit;
        _capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)limit * 2);
    }

    /// <summary>Number of pieces held now.</summary>
    public int Count => Volatile.Read(ref _table) is { } table ? Volatile.Read(ref table.Count) : 0;

    /// <summary>What <paramref name="piece"/> was stored with, if it is here.</summary>
    public bool TryGetValue(ReadOnlySpan<char> piece, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TValue? value)
    {
        if (Volatile.Read(ref _table) is not { } table)
        {
            value = null;
            return false;
        }
        var slots = table.Slots;
        var hash = TextHash.Of(piece);
        var mask = slots.Length - 1;
        var slot = hash & mask;
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            var entry = Volatile.Read(ref slots[slot]);
            if (entry is null) break;
            if (entry.Hash == hash && piece.SequenceEqual(entry.Key))
            {
                value = entry.Value;
                return true;
            }
            slot = (slot + 1) & mask;
        }
        value = null;
        return false;
    }

    /// <summary>Stores what <paramref name="piece"/> encodes to (a piece already here keeps its first value).</summary>
    public void Add(ReadOnlySpan<char> piece, TValue value)
    {
        var table = Volatile.Read(ref _table);
        if (table is null || Volatile.Read(ref table.Count) >= _limit)
        {
            Interlocked.CompareExchange(ref _table, new Table(_capacity), table);
            table = Volatile.Read(ref _table)!;
        }
        var slots = table.Slots;
        var hash = TextHash.Of(piece);
        var mask = slots.Length - 1;
        var slot = hash & mask;
        Entry? created = null;
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            var entry = Volatile.Read(ref slots[slot]);
            if (entry is null)
            {
                created ??= new Entry(piece.ToString(), hash, value);
                entry = Interlocked.CompareExchange(ref slots[slot], created, null);
                if (entry is null)
                {
                    Interlocked.Increment(ref table.Count);
                    return;
                }
            }
            if (entry.Hash == hash && piece.SequenceEqual(entry.Key)) return;   // another thread stored it first
            slot = (slot + 1) & mask;
        }
    }
}
