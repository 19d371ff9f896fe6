using System.Buffers.Binary;

namespace NextToken.Tokenizers.Bpe;

/// <summary>Finds the id of a token from its bytes (tiktoken's rank lookup). Open addressing over the token ids.</summary>
internal sealed class ByteSequenceTable
{
    private readonly byte[][] _tokens;
    private readonly int[] _slots;   // token id + 1; 0 = empty
    private readonly int _mask;

    /// <param name="tokens">Bytes per id; null entries (gaps, special tokens) are left out.</param>
    public ByteSequenceTable(byte[]?[] tokens)
    {
        _tokens = new byte[tokens.Length][];
        var capacity = 16;
        while (capacity < tokens.Length * 2) capacity <<= 1;
        _slots = new int[capacity];
        _mask = capacity - 1;
        for (var id = 0; id < tokens.Length; id++)
        {
            var bytes = tokens[id];
            if (bytes is null) continue;
            _tokens[id] = bytes;
            var slot = Hash(bytes) & _mask;
            var duplicate = false;
            while (_slots[slot] != 0)
            {
                if (_tokens[_slots[slot] - 1].AsSpan().SequenceEqual(bytes)) { duplicate = true; break; }
                slot = (slot + 1) & _mask;
            }
            if (!duplicate) _slots[slot] = id + 1;   // the first id of a byte string wins
        }
    }

    /// <summary>The id of the token with exactly these bytes, or -1.</summary>
    public int Find(ReadOnlySpan<byte> bytes)
    {
        var slot = Hash(bytes) & _mask;
        while (true)
        {
            var s = _slots[slot];
            if (s == 0) return -1;
            if (_tokens[s - 1].AsSpan().SequenceEqual(bytes)) return s - 1;
            slot = (slot + 1) & _mask;
        }
    }

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
