using System.Runtime.CompilerServices;

namespace NextToken.Tokenizers.Bpe;

/// <summary>
/// The merge rules of a byte-pair encoding: (left id, right id) → (rank, merged id). A lower rank merges first.
/// </summary>
/// <remarks>
/// Performance: an open-addressing table over a packed 64-bit key with a multiplicative hash. A
/// <c>Dictionary&lt;(int, int), …&gt;</c> was about twice as slow in the merge loop; most lookups miss, and a
/// miss here costs one or two probes of contiguous memory.
/// tiktoken encodings have no merge list: a pair merges when its joined bytes are a token, at that token's rank.
/// Building the table of every such pair (each split of each token) took 300-400 ms for o200k_base at load,
/// while only the few pairs a text meets are ever asked for; <see cref="FromTokenBytes"/> answers those by
/// looking the joined bytes up instead, which costs some nanoseconds per lookup on cache misses only.
/// </remarks>
internal sealed class MergeTable
{
    private const long Empty = -1;
    private const int MaxJoinedBytes = 256;
    private readonly ByteSequenceTable? _tokenTable;   // set: rules derived from token bytes (tiktoken)
    private readonly byte[]?[]? _tokenBytes;
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

    private MergeTable(ByteSequenceTable table, byte[]?[] tokenBytes)
    {
        _tokenTable = table;
        _tokenBytes = tokenBytes;
        _keys = [];
        _values = [];
    }

    /// <summary>
    /// The rules of a tiktoken encoding, derived when asked: (left, right) merges into the token whose bytes are
    /// left's then right's, at that token's rank (its id). Holds no table; <see cref="Add"/> is not allowed.
    /// </summary>
    /// <param name="table">Finds an id from bytes (the first id wins for a repeated byte string).</param>
    /// <param name="tokenBytes">Bytes by id; the ids that <paramref name="table"/> returns.</param>
    public static MergeTable FromTokenBytes(ByteSequenceTable table, byte[]?[] tokenBytes) => new(table, tokenBytes);

    /// <summary>Number of rules stored (0 for rules derived from token bytes).</summary>
    public int Count { get; private set; }

    /// <summary>Adds a rule; when the pair already has one, the lower rank is kept.</summary>
    public void Add(int left, int right, int rank, int merged)
    {
        if (_tokenTable is not null) throw new InvalidOperationException("rules derived from token bytes cannot be added to");
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
        if (_tokenTable is not null) return FindByBytes(left, right);
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

    private long FindByBytes(int left, int right)
    {
        var l = _tokenBytes![left]!;
        var r = _tokenBytes[right]!;
        var length = l.Length + r.Length;
        if (length > MaxJoinedBytes) return LongJoin(l, r);
        Span<byte> joined = stackalloc byte[MaxJoinedBytes];
        l.CopyTo(joined);
        r.CopyTo(joined[l.Length..]);
        var id = _tokenTable!.Find(joined[..length]);
        return id < 0 ? -1 : Pack(id, id);
    }

    private long LongJoin(byte[] l, byte[] r)
    {
        var id = _tokenTable!.Find([.. l, .. r]);
        return id < 0 ? -1 : Pack(id, id);
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
