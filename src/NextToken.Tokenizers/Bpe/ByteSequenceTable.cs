using System.Buffers.Binary;

namespace NextToken.Tokenizers.Bpe;

/// <summary>Finds the id of a token from its bytes (tiktoken's rank lookup). Open addressing over the token ids.</summary>
/// <remarks>
/// Performance: a slot packs the bytes' hash with the id in one 64-bit word, so a probe that meets another
/// token is rejected without reading that token's bytes (a second cache miss). That halved building the table
/// for o200k_base's 200,000 tokens, and most lookups while merging are misses (pairs that are not tokens).
/// </remarks>
internal sealed class ByteSequenceTable
{
    private readonly byte[]?[] _tokens;
    private readonly long[] _slots;   // (uint)hash << 32 | (id + 1); 0 = empty
    private readonly int _mask;

    /// <param name="tokens">Bytes per id; null entries (gaps, special tokens) are left out. Kept, not copied.</param>
    public ByteSequenceTable(byte[]?[] tokens)
    {
        _tokens = tokens;
        var capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, tokens.Length * 2));
        _slots = new long[capacity];
        _mask = capacity - 1;
        for (var id = 0; id < tokens.Length; id++)
        {
            var bytes = tokens[id];
            if (bytes is null) continue;
            var hash = Hash(bytes);
            var slot = hash & _mask;
            var duplicate = false;
            while (_slots[slot] != 0)
            {
                if (Matches(_slots[slot], hash, bytes)) { duplicate = true; break; }
                slot = (slot + 1) & _mask;
            }
            if (!duplicate) _slots[slot] = ((long)(uint)hash << 32) | (uint)(id + 1);   // the first id of a byte string wins
        }
    }

    /// <summary>The id of the token with exactly these bytes, or -1.</summary>
    public int Find(ReadOnlySpan<byte> bytes)
    {
        var hash = Hash(bytes);
        var slot = hash & _mask;
        while (true)
        {
            var s = _slots[slot];
            if (s == 0) return -1;
            if (Matches(s, hash, bytes)) return (int)(uint)s - 1;
            slot = (slot + 1) & _mask;
        }
    }

    private bool Matches(long slot, int hash, ReadOnlySpan<byte> bytes) =>
        (int)(slot >> 32) == hash && bytes.SequenceEqual(_tokens[(int)(uint)slot - 1]);

    /// <summary>A multiply-rotate hash over 8 bytes at a time; token strings are short, so this is a few instructions.</summary>
    internal static int Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)bytes.Length;
        while (bytes.Length >= 8)
        {
            h = (System.Numerics.BitOperations.RotateLeft(h, 23) ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0xFF51AFD7ED558CCDUL;
            bytes = bytes[8..];
        }
        ulong tail = 0;
        for (var i = 0; i < bytes.Length; i++) tail |= (ulong)bytes[i] << (8 * i);
        h = (System.Numerics.BitOperations.RotateLeft(h, 23) ^ tail) * 0xC4CEB9FE1A85EC53UL;
        return (int)(h ^ (h >> 29));
    }
}
