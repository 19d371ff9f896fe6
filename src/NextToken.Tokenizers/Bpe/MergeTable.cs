using System.Runtime.CompilerServices;

namespace NextToken.Tokenizers.Bpe;

/// <summary>
/// The merge rules of a byte-pair encoding: (left id, right id) → (rank, merged id). A lower rank merges first.
/// </summary>
/// <remarks>
/// Performance: an open-addressing table over a packed 64-bit key with a multiplicative hash. A
/// <c>Dictionary&lt;(int, int), …&gt;</c> was about twice as slow in the merge loop; most lookups miss, and a
/// miss here costs one or two probes of contiguous memory. Key and value sit side by side in one 16-byte slot
/// (separate key and value arrays cost a second cache miss per rule, which showed in loading Llama 3's 280,000
/// merges as well as in merging).
/// tiktoken encodings have no merge list: a pair merges when its joined bytes are a token, at that token's rank.
/// Building the table of every such pair (each split of each token) took 300-400 ms for o200k_base at load,
/// while only the few pairs a text meets are ever asked for; <see cref="FromTokenBytes"/> answers those by
/// looking the joined bytes up instead. Joining and hashing bytes on every lookup made a fresh tokenizer's first
/// pass over a document about a third slower, so each answer (found or not) is remembered in a lock-free table of
/// packed 64-bit slots, written with one compare-exchange; a pair met again costs what a stored rule costs.
/// </remarks>
internal sealed class MergeTable
{
    private const long Empty = -1;
    private const int MaxJoinedBytes = 256;
    private readonly ByteSequenceTable? _tokenTable;   // set: rules derived from token bytes (tiktoken)
    private readonly byte[]?[]? _tokenBytes;
    private long[]? _derived;   // remembered derived rules: Occupied | pair << 19 | (id + 1, 0 for none)
    private const int IdBits = 18;   // ids below 2^18 (262,144) are remembered; larger vocabularies look every pair up
    private const int DerivedSlots = 1 << 17;
    private const int DerivedProbes = 8;
    private const long Occupied = 1L << 62;
    private struct Slot
    {
        public long Key;     // left << 32 | right; Empty when unused
        public long Value;   // rank << 32 | merged id
    }

    private Slot[] _slots;
    private int _mask;
    private int _shift;

    public MergeTable(int expectedCount)
    {
        var capacity = 16;
        while (capacity < expectedCount * 2) capacity <<= 1;
        _slots = NewSlots(capacity);
        _mask = capacity - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
    }

    private MergeTable(ByteSequenceTable table, byte[]?[] tokenBytes)
    {
        _tokenTable = table;
        _tokenBytes = tokenBytes;
        _slots = [];
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
        if ((Count + 1) * 2 > _slots.Length) Grow();
        var key = Key(left, right);
        var slot = SlotOf(key);
        while (_slots[slot].Key != Empty)
        {
            ref var s = ref _slots[slot];
            if (s.Key == key)
            {
                if (rank < (int)(s.Value >> 32)) s.Value = Pack(rank, merged);
                return;
            }
            slot = (slot + 1) & _mask;
        }
        _slots[slot] = new Slot { Key = key, Value = Pack(rank, merged) };
        Count++;
    }

    /// <summary>The rule for a pair: rank in the high half, merged id in the low half; -1 when none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Find(int left, int right)
    {
        if (_tokenTable is not null) return FindByBytes(left, right);
        var key = Key(left, right);
        var slot = SlotOf(key);
        while (true)
        {
            ref var s = ref _slots[slot];
            if (s.Key == key) return s.Value;
            if (s.Key == Empty) return -1;
            slot = (slot + 1) & _mask;
        }
    }

    private long FindByBytes(int left, int right)
    {
        if ((uint)(left | right) >= 1u << IdBits) return JoinAndFind(left, right);
        var derived = _derived ?? InitializeDerived();
        var pair = ((long)left << IdBits) | (uint)right;
        var slot = (int)((ulong)(pair * unchecked((long)0x9E3779B97F4A7C15)) >> 47) & (DerivedSlots - 1);
        for (var probe = 0; probe < DerivedProbes; probe++)
        {
            var stored = Volatile.Read(ref derived[slot]);
            if (stored == 0)
            {
                var rule = JoinAndFind(left, right);
                var id = rule < 0 ? 0 : (int)rule + 1;
                Interlocked.CompareExchange(ref derived[slot], Occupied | (pair << (IdBits + 1)) | (uint)id, 0);
                return rule;
            }
            if (((stored >> (IdBits + 1)) & ((1L << (2 * IdBits)) - 1)) == pair)
            {
                var id = (int)(stored & ((1 << (IdBits + 1)) - 1)) - 1;
                return id < 0 ? -1 : Pack(id, id);
            }
            slot = (slot + 1) & (DerivedSlots - 1);
        }
        return JoinAndFind(left, right);
    }

    private long[] InitializeDerived()
    {
        Interlocked.CompareExchange(ref _derived, new long[DerivedSlots], null);
        return _derived;
    }

    [System.Runtime.CompilerServices.SkipLocalsInit]   // the buffer is written before it is read
    private long JoinAndFind(int left, int right)
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
    private int SlotOf(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> _shift) & _mask;

    private static Slot[] NewSlots(int capacity)
    {
        var slots = new Slot[capacity];
        for (var i = 0; i < slots.Length; i++) slots[i].Key = Empty;
        return slots;
    }

    private void Grow()
    {
        var old = _slots;
        var capacity = old.Length * 2;
        _slots = NewSlots(capacity);
        _mask = capacity - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
        Count = 0;
        foreach (var s in old)
            if (s.Key != Empty) Add((int)(s.Key >> 32), (int)s.Key, (int)(s.Value >> 32), (int)s.Value);
    }
}
