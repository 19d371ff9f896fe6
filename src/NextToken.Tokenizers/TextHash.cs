using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NextToken.Tokenizers;

/// <summary>
/// A fast, non-randomized hash of UTF-16 text for the tokenizers' own tables (piece cache, token index): four
/// characters per multiply. Tables that hold input text bound their probing, so chosen collisions cost little.
/// </summary>
internal static class TextHash
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(ReadOnlySpan<char> text)
    {
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)text.Length;
        var words = MemoryMarshal.Cast<char, ulong>(text);
        foreach (var w in words) h = (BitOperations.RotateLeft(h, 25) ^ w) * 0xFF51AFD7ED558CCDUL;
        ulong tail = 0;
        for (var i = words.Length * 4; i < text.Length; i++) tail = (tail << 16) | text[i];
        h = (BitOperations.RotateLeft(h, 25) ^ tail) * 0xC4CEB9FE1A85EC53UL;
        return (int)(h ^ (h >> 32));
    }
}
