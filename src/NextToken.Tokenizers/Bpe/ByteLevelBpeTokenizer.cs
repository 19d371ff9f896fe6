using System.Buffers;
using System.Text;
using NextToken.Tokenizers.PreTokenization;

namespace NextToken.Tokenizers.Bpe;

/// <summary>
/// Byte-level byte-pair encoding: GPT-2 (<c>vocab.json</c> + <c>merges.txt</c>), every tiktoken encoding
/// (r50k_base … o200k_base), Llama 3's <c>tokenizer.json</c> and GGUF <c>gpt2</c> vocabularies. Text is cut into
/// pieces by a split pattern, each piece's UTF-8 bytes start as one symbol per byte, and merges join symbols
/// until no rule applies. Every string is encodable and decoding gives back the exact text.
/// </summary>
/// <remarks>
/// Performance: encoding is split → cache lookup → merge. Natural text repeats its pieces, so a lock-free
/// <see cref="PieceCache{TValue}"/> from piece text to ids (looked up by span, no allocation on a hit) answers most
/// pieces; misses run
/// <see cref="BytePairMerger"/>. The hand-coded splitters replace .NET <c>Regex</c>, which alone was slower than
/// the whole pipeline is now. Tried: caching by hash of UTF-8 bytes (needs the encode first, slower), no cache
/// (about 3x slower on English), a ConcurrentDictionary cache (its lock per insert, and asking its Count per
/// miss, made a fresh tokenizer's first pass over 2 MB of English 2-5 MB/s; now 25-35 MB/s, later passes 50-90).
/// </remarks>
public sealed class ByteLevelBpeTokenizer : Tokenizer
{
    private const int CacheLimit = 200_000;
    private const int CachedPieceMaxLength = 48;

    private readonly byte[]?[] _tokenBytes;
    private readonly string?[] _displayPieces;
    private readonly MergeTable _merges;
    private readonly int[] _byteToId = new int[256];
    private readonly ByteSequenceTable? _wholePieces;
    private readonly TextSplitter _splitter;
    private readonly bool[] _isSpecial;
    private readonly SpecialTokenMatcher _allowedSpecials;
    private readonly SpecialTokenMatcher _alwaysMatched;
    private readonly int[] _prefixIds;
    private readonly int[] _suffixIds;
    private readonly PieceCache<int[]> _cache = new(CacheLimit);
    private Dictionary<string, int>? _pieceToId;

    [ThreadStatic] private static List<int>? t_pieceEnds;

    internal ByteLevelBpeTokenizer(ByteLevelBpeDefinition d)
    {
        Name = d.Name;
        _tokenBytes = d.TokenBytes;
        _displayPieces = d.DisplayPieces ?? new string?[d.TokenBytes.Length];
        _merges = d.Merges;
        _splitter = d.Splitter;
        _wholePieces = d.WholePieceFirst ? d.WholePieceTable ?? new ByteSequenceTable(d.TokenBytes) : null;
        for (var b = 0; b < 256; b++) _byteToId[b] = d.ByteToId[b];
        _isSpecial = new bool[d.TokenBytes.Length];
        foreach (var id in d.SpecialTokens.Values) _isSpecial[id] = true;
        _allowedSpecials = new SpecialTokenMatcher(d.SpecialTokens.Concat(d.AlwaysMatchedTokens));
        _alwaysMatched = new SpecialTokenMatcher(d.AlwaysMatchedTokens);
        _prefixIds = d.PrefixIds;
        _suffixIds = d.SuffixIds;
        BosTokenId = d.BosTokenId;
        EosTokenId = d.EosTokenId;
        PadTokenId = d.PadTokenId;
        UnknownTokenId = d.UnknownTokenId;
        AddsBosToken = d.BosTokenId is { } bos && _prefixIds.Contains(bos);
        AddsEosToken = d.EosTokenId is { } eos && _suffixIds.Contains(eos);
    }

    /// <summary>The encoding's name (<c>cl100k_base</c>, <c>gpt2</c>, the file it came from…).</summary>
    public string Name { get; }

    /// <summary>The split pattern that cuts text into pieces before merging.</summary>
    public string SplitPattern => _splitter.Pattern;

    public override int VocabularySize => _tokenBytes.Length;

    public override int[] Encode(string text, bool addSpecialTokens = false, bool allowSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        if (addSpecialTokens) ids.AddRange(_prefixIds);
        ForEachSegment(text, allowSpecialTokens, (start, length, specialId) =>
        {
            if (specialId >= 0) ids.Add(specialId);
            else EncodeOrdinary(text.AsSpan(start, length), ids, null, start);
        });
        if (addSpecialTokens) ids.AddRange(_suffixIds);
        return ids.ToArray();
    }

    public override IReadOnlyList<EncodedToken> EncodeWithOffsets(string text, bool addSpecialTokens = false, bool allowSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<EncodedToken>(text.Length / 3 + 4);
        if (addSpecialTokens) foreach (var id in _prefixIds) tokens.Add(new EncodedToken(id, 0, 0));
        var ids = new List<int>();
        ForEachSegment(text, allowSpecialTokens, (start, length, specialId) =>
        {
            if (specialId >= 0) tokens.Add(new EncodedToken(specialId, start, length));
            else EncodeOrdinary(text.AsSpan(start, length), ids, tokens, start);
        });
        if (addSpecialTokens) foreach (var id in _suffixIds) tokens.Add(new EncodedToken(id, text.Length, 0));
        return tokens;
    }

    public override int CountTokens(string text, bool addSpecialTokens = false) => Encode(text, addSpecialTokens).Length;

    /// <summary>Calls <paramref name="action"/> for each stretch of ordinary text (id -1) and each special token found.</summary>
    private void ForEachSegment(string text, bool allowSpecialTokens, Action<int, int, int> action)
    {
        var matcher = allowSpecialTokens ? _allowedSpecials : _alwaysMatched;
        var position = 0;
        if (!matcher.IsEmpty)
        {
            while (matcher.TryFindNext(text, position, out var start, out var length, out var id))
            {
                if (start > position) action(position, start - position, -1);
                action(start, length, id);
                position = start + length;
            }
        }
        if (position < text.Length) action(position, text.Length - position, -1);
    }

    /// <summary>Encodes text with no special tokens in it; with <paramref name="offsets"/>, also records each token's span.</summary>
    private void EncodeOrdinary(ReadOnlySpan<char> text, List<int> ids, List<EncodedToken>? offsets, int textStart)
    {
        var ends = t_pieceEnds ??= new List<int>();
        ends.Clear();
        _splitter.Split(text, ends);
        var start = 0;
        foreach (var end in ends)
        {
            var piece = text[start..end];
            if (offsets is null) EncodePiece(piece, ids);
            else
            {
                ids.Clear();
                EncodePiece(piece, ids);
                AddOffsets(piece, ids, offsets, textStart + start);
            }
            start = end;
        }
        if (ends.Count > 4096) ends.Clear();
    }

    private void EncodePiece(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (piece.Length == 1 && piece[0] < 0x80)
        {
            ids.Add(_byteToId[piece[0]]);
            return;
        }
        var cacheable = piece.Length <= CachedPieceMaxLength;
        if (cacheable && _cache.TryGetValue(piece, out var cached))
        {
            ids.AddRange(cached);
            return;
        }
        var result = MergePiece(piece);
        ids.AddRange(result);
        if (cacheable) _cache.Add(piece, result);
    }

    private int[] MergePiece(ReadOnlySpan<char> piece)
    {
        var byteCount = Encoding.UTF8.GetByteCount(piece);
        var rented = byteCount > 256 ? ArrayPool<byte>.Shared.Rent(byteCount) : null;
        var symbolsRented = byteCount > 256 ? ArrayPool<int>.Shared.Rent(byteCount) : null;
        try
        {
            var bytes = rented is null ? stackalloc byte[byteCount] : rented.AsSpan(0, byteCount);
            Encoding.UTF8.GetBytes(piece, bytes);
            if (_wholePieces is not null)
            {
                var whole = _wholePieces.Find(bytes);
                if (whole >= 0 && !_isSpecial[whole]) return [whole];
            }
            var symbols = symbolsRented is null ? stackalloc int[byteCount] : symbolsRented.AsSpan(0, byteCount);
            for (var i = 0; i < byteCount; i++) symbols[i] = _byteToId[bytes[i]];
            var n = BytePairMerger.Merge(_merges, symbols);
            return symbols[..n].ToArray();
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            if (symbolsRented is not null) ArrayPool<int>.Shared.Return(symbolsRented);
        }
    }

    /// <summary>Maps the piece's tokens (byte lengths) back to character spans; a token inside a character gets that character.</summary>
    private void AddOffsets(ReadOnlySpan<char> piece, List<int> ids, List<EncodedToken> offsets, int pieceStart)
    {
        var charIndex = 0;        // next character of the piece not yet passed
        var byteAtChar = 0;       // UTF-8 offset where that character starts
        var tokenByteStart = 0;
        foreach (var id in ids)
        {
            var tokenByteEnd = tokenByteStart + _tokenBytes[id]!.Length;
            // Start: the character containing the token's first byte.
            var startChar = charIndex;
            var startByte = byteAtChar;
            while (startChar < piece.Length)
            {
                var w = CharWidth(piece, startChar, out var bytes);
                if (startByte + bytes > tokenByteStart) break;
                startChar += w;
                startByte += bytes;
            }
            // End: past the character containing the token's last byte.
            var endChar = startChar;
            var endByte = startByte;
            while (endChar < piece.Length && endByte < tokenByteEnd)
            {
                var w = CharWidth(piece, endChar, out var bytes);
                endChar += w;
                endByte += bytes;
            }
            offsets.Add(new EncodedToken(id, pieceStart + startChar, endChar - startChar));
            charIndex = startChar;
            byteAtChar = startByte;
            tokenByteStart = tokenByteEnd;
        }
    }

    private static int CharWidth(ReadOnlySpan<char> s, int i, out int utf8Bytes)
    {
        var c = s[i];
        if (c < 0x80) { utf8Bytes = 1; return 1; }
        if (c < 0x800) { utf8Bytes = 2; return 1; }
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { utf8Bytes = 4; return 2; }
        utf8Bytes = 3;   // BMP character, or a lone surrogate encoded as U+FFFD
        return 1;
    }

    public override string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var buffer = new ArrayBufferWriter<byte>(ids.Length * 4 + 16);
        foreach (var id in ids)
        {
            if (skipSpecialTokens && IsSpecialToken(id)) continue;
            buffer.Write(TokenBytes(id));
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public override string TokenToPiece(int id)
    {
        var bytes = TokenBytes(id);
        if (_isSpecial[id]) return Encoding.UTF8.GetString(bytes);
        return _displayPieces[id] ??= ByteLevelAlphabet.Encode(bytes);
    }

    public override byte[] TokenBytes(int id)
    {
        if ((uint)id >= (uint)_tokenBytes.Length || _tokenBytes[id] is not { } bytes)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"token id {id} is not in the vocabulary of {Name} ({VocabularySize} ids)");
        return bytes;
    }

    public override int? PieceToId(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        var map = _pieceToId;
        if (map is null)
        {
            map = new Dictionary<string, int>(_tokenBytes.Length, StringComparer.Ordinal);
            for (var id = 0; id < _tokenBytes.Length; id++)
                if (_tokenBytes[id] is not null) map.TryAdd(TokenToPiece(id), id);
            _pieceToId = map;
        }
        return map.TryGetValue(piece, out var found) ? found : null;
    }

    public override bool IsSpecialToken(int id) => (uint)id < (uint)_isSpecial.Length && _isSpecial[id];

    public override IncrementalDecoder CreateIncrementalDecoder(bool skipSpecialTokens = false) =>
        new ByteStreamDecoder(this, skipSpecialTokens, stripLeadingSpace: false);

    public override string ToString() => $"{Name} (byte-level BPE, {VocabularySize} ids)";
}
