using System.Runtime.CompilerServices;

namespace NextToken.Tokenizers.Bpe;

/// <summary>
/// The merge rules of a byte-pair encoding: (left id, right id) → (rank, merged id). A lower rank merges first.
/// </summary>
/// <remarks>
/// Performance: an open-addressing table over a packed 64-bit key with a multiplicative hash. A
/// <c>Dictionary&lt;(int, int), …&gt;</c> was about twice as slow in the merge loop; most lookups miss, and a
/// miss here costs one or two probes of contiguous memory.
/// </remarks>
internal sealed class MergeTable
{
    private const long Empty = -1;
    private long[] _keys;
    private long[] _values;   // rank << 32 | merged id
    private int _mask;
    private int _shift;

    public MergeTable(int expectedCount)
    {
        var capacity = 16;
        while (capacity < expectedCount * 2) capacity <<= 1;
        _keys = new long[capacity];
        Array.Fill(_keys, Empty);
        _values = new long[capacity];
        _mask = capacity - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
    }

    public int Count { get; private set; }

    /// <summary>Adds a rule; when the pair already has one, the lower rank is kept.</summary>
    public void Add(int left, int right, int rank, int merged)
    {
        if ((Count + 1) * 2 > _keys.Length) Grow();
        var key = Key(left, right);
        var slot = Slot(key);
        while (_keys[slot] != Empty)
        {
            if (_keys[slot] == key)
            {
                if (rank < (int)(_values[slot] >> 32)) _values[slot] = Pack(rank, merged);
                return;
            }
            slot = (slot + 1) & _mask;
        }
        _keys[slot] = key;
        _values[slot] = Pack(rank, merged);
        Count++;
    }

    /// <summary>The rule for a pair: rank in the high half, merged id in the low half; -1 when none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Find(int left, int right)
    {
        var key = Key(left, right);
        var slot = Slot(key);
        while (true)
        {
            var k = _keys[slot];
            if (k == key) return _values[slot];
            if (k == Empty) return -1;
            slot = (slot + 1) & _mask;
        }
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
    private static long Pack(int rank, int merged) => ((long)rank << 32) | (uint)merged;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> _shift) & _mask;

    private void Grow()
    {
        var keys = _keys;
        var values = _values;
        var capacity = keys.Length * 2;
        _keys = new long[capacity];
        Array.Fill(_keys, Empty);
        _values = new long[capacity];
        _mask = capacity - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
        Count = 0;
        for (var i = 0; i < keys.Length; i++)
            if (keys[i] != Empty) Add((int)(keys[i] >> 32), (int)keys[i], (int)(values[i] >> 32), (int)values[i]);
    }
}
