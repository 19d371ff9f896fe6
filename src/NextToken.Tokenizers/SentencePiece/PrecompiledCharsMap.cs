using System.Buffers.Binary;
using System.Text;

namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// SentencePiece's compiled normalization rules (<c>normalizer_spec.precompiled_charsmap</c>, e.g. nmt_nfkc):
/// a double-array trie over UTF-8 byte strings whose values are offsets of replacement strings in a blob of
/// NUL-terminated UTF-8. At each position the longest matching key is replaced; other characters are copied.
/// Layout: u32 trie size in bytes, the trie (u32 units), then the replacement blob.
/// </summary>
internal sealed class PrecompiledCharsMap
{
    private readonly uint[] _units;
    private readonly byte[] _replacements;

    private PrecompiledCharsMap(uint[] units, byte[] replacements)
    {
        _units = units;
        _replacements = replacements;
    }

    /// <summary>Parses the blob; <paramref name="error"/> builds the exception for a malformed one.</summary>
    public static PrecompiledCharsMap Parse(ReadOnlySpan<byte> blob, Func<string, Exception> error)
    {
        if (blob.Length < 4) throw error("precompiled_charsmap is shorter than its 4-byte header");
        var trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize % 4 != 0 || trieSize > (uint)(blob.Length - 4) || trieSize == 0)
            throw error($"precompiled_charsmap trie size {trieSize} does not fit its {blob.Length}-byte blob");
        var units = new uint[trieSize / 4];
        for (var i = 0; i < units.Length; i++) units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob[(4 + 4 * i)..]);
        return new PrecompiledCharsMap(units, blob[(4 + (int)trieSize)..].ToArray());
    }

    // Double-array unit fields (the darts-clone layout SentencePiece uses).
    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;
    private static uint Value(uint unit) => unit & ((1u << 31) - 1);
    private static uint Label(uint unit) => unit & ((1u << 31) | 0xFF);
    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);

    /// <summary>Longest key that starts <paramref name="key"/>: its length in bytes and its replacement, or length 0.</summary>
    public int LongestMatch(ReadOnlySpan<byte> key, out ReadOnlySpan<byte> replacement)
    {
        replacement = default;
        var matched = 0;
        var value = 0u;
        var nodePos = Offset(_units[0]);
        for (var i = 0; i < key.Length; i++)
        {
            nodePos ^= key[i];
            if (nodePos >= (uint)_units.Length) break;
            var unit = _units[nodePos];
            if (Label(unit) != key[i]) break;
            nodePos ^= Offset(unit);
            if (nodePos >= (uint)_units.Length) break;
            if (HasLeaf(unit))
            {
                matched = i + 1;
                value = Value(_units[nodePos]);
            }
        }
        if (matched == 0 || value >= (uint)_replacements.Length) return 0;
        var rest = _replacements.AsSpan((int)value);
        var end = rest.IndexOf((byte)0);
        replacement = end < 0 ? rest : rest[..end];
        return matched;
    }

    /// <summary>SentencePiece's normalization with these rules (see <see cref="SentencePieceNormalizer"/>).</summary>
    public void Normalize(ReadOnlySpan<char> input, int inputOffset, bool addDummyPrefix, SentencePieceOptions options, NormalizedText output)
    {
        // Work on UTF-8, as SentencePiece does, remembering which input character each byte came from.
        var bytes = new List<byte>(input.Length * 2);
        var byteOrigins = new List<int>(input.Length * 2);
        Span<byte> one = stackalloc byte[4];
        for (var i = 0; i < input.Length;)
        {
            var status = Rune.DecodeFromUtf16(input[i..], out var rune, out var consumed);
            if (status != System.Buffers.OperationStatus.Done) rune = Rune.ReplacementChar;
            var n = rune.EncodeToUtf8(one);
            for (var k = 0; k < n; k++)
            {
                bytes.Add(one[k]);
                byteOrigins.Add(inputOffset + i);
            }
            i += Math.Max(consumed, 1);
        }
        var source = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);

        var normalized = new List<byte>(source.Length + 4);
        var origins = new List<int>(source.Length + 4);
        var space = options.EscapeWhitespaces ? "▁"u8 : " "u8;
        var removeExtra = options.RemoveExtraWhitespaces;
        var pos = 0;
        if (removeExtra)
        {
            while (pos < source.Length)
            {
                var n = NormalizePrefix(source[pos..], out var piece);
                if (!piece.SequenceEqual(" "u8)) break;
                pos += n;
            }
        }
        if (pos == source.Length) return;
        var prefix = addDummyPrefix && options.AddDummyPrefix;
        if (prefix && !options.TreatWhitespaceAsSuffix) AppendBytes(space, byteOrigins[pos]);

        var previousSpace = removeExtra;
        while (pos < source.Length)
        {
            var n = NormalizePrefix(source[pos..], out var piece);
            var origin = byteOrigins[pos];
            while (previousSpace && piece.Length > 0 && piece[0] == (byte)' ') piece = piece[1..];
            if (!piece.IsEmpty)
            {
                foreach (var b in piece)
                {
                    if (b == (byte)' ' && options.EscapeWhitespaces) AppendBytes("▁"u8, origin);
                    else AppendBytes([b], origin);
                }
                previousSpace = removeExtra && piece[^1] == (byte)' ';
            }
            pos += n;
        }
        if (removeExtra)
        {
            while (normalized.Count >= space.Length && System.Runtime.InteropServices.CollectionsMarshal.AsSpan(normalized)[^space.Length..].SequenceEqual(space))
            {
                normalized.RemoveRange(normalized.Count - space.Length, space.Length);
                origins.RemoveRange(origins.Count - space.Length, space.Length);
            }
        }
        if (prefix && options.TreatWhitespaceAsSuffix) AppendBytes(space, inputOffset + input.Length);

        // Back to UTF-16; a replacement may hold invalid UTF-8, which becomes U+FFFD.
        var result = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(normalized);
        Span<char> chars = stackalloc char[2];
        for (var k = 0; k < result.Length;)
        {
            Rune.DecodeFromUtf8(result[k..], out var rune, out var consumed);
            var count = rune.EncodeToUtf16(chars);
            for (var c = 0; c < count; c++) output.Append(chars[c], origins[k]);
            k += Math.Max(consumed, 1);
        }

        void AppendBytes(ReadOnlySpan<byte> piece, int origin)
        {
            foreach (var b in piece)
            {
                normalized.Add(b);
                origins.Add(origin);
            }
        }
    }

    /// <summary>The replacement for the start of <paramref name="text"/> and how many bytes it consumes.</summary>
    private int NormalizePrefix(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> piece)
    {
        var matched = LongestMatch(text, out piece);
        if (matched > 0) return matched;
        // No rule: copy one character (the input was made from valid UTF-16, so it is valid UTF-8).
        Rune.DecodeFromUtf8(text, out _, out var length);
        length = Math.Max(length, 1);
        piece = text[..length];
        return length;
    }
}
