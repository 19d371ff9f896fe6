using System.Text;
using System.Text.Json;
using NextToken.Tokenizers.Bpe;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>
/// Hugging Face's BPE model: characters (or bytes, after a ByteLevel pre-tokenizer) merged by rank of the merge
/// rule, with <c>unk_token</c>, <c>fuse_unk</c>, <c>byte_fallback</c> (<c>&lt;0x41&gt;</c> tokens for characters not
/// in the vocabulary), <c>continuing_subword_prefix</c>, <c>end_of_word_suffix</c> and <c>ignore_merges</c>.
/// </summary>
/// <remarks>
/// Performance: a model with no pre-tokenizer (Mistral, Llama 2 converted: Prepend ▁ + Replace ' ' → ▁) receives
/// the whole text as one piece. When no token has a ▁ after another character, no merge can join across the
/// point before such a ▁, so the piece is cut there into words, each merged on its own (exactly the same result)
/// and cached by span: this took a 2 MB document from 0.6 MB/s (one 2-million-symbol heap merge) to the speed of
/// the cache. Pieces are looked up by span, so a cache hit allocates nothing.
/// </remarks>
internal sealed class BpeModel : TokenModel
{
    private const char WordMark = '▁';
    private const int CachedWordMaxLength = 256;   // rules of dashes and the like are words too, and they repeat

    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabBySpan;
    private readonly string?[] _pieces;
    private readonly int[] _byteTokens = new int[256];
    private readonly PieceCache<ModelToken[]> _cache = new(100_000);
    private bool _splitsBeforeWordMarks;

    private BpeModel(Dictionary<string, int> vocab, string?[] pieces, MergeTable merges)
    {
        _vocab = vocab;
        _vocabBySpan = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _pieces = pieces;
        Merges = merges;
    }

    public MergeTable Merges { get; }
    public Dictionary<string, int> Vocab => _vocab;
    public override string?[] Pieces => _pieces;
    public override int? UnknownId => UnknownToken is { } u && _vocab.TryGetValue(u, out var id) ? id : null;
    public string? UnknownToken { get; private init; }
    public bool FuseUnknown { get; private init; }
    public bool ByteFallback { get; private init; }
    public bool IgnoreMerges { get; private init; }
    public string? ContinuingSubwordPrefix { get; private init; }
    public string? EndOfWordSuffix { get; private init; }

    public override int? Find(string piece) => _vocab.TryGetValue(piece, out var id) ? id : null;

    public static new BpeModel Read(JsonElement e, JsonFields f)
    {
        var (vocab, pieces) = ReadVocabObject(e, f);
        var prefix = f.String(e, "continuing_subword_prefix", "model");
        var merges = ReadMerges(f.Array(e, "merges", "model"), new TokenIndex(vocab), prefix, f);
        var model = new BpeModel(vocab, pieces, merges)
        {
            UnknownToken = f.String(e, "unk_token", "model"),
            FuseUnknown = f.Bool(e, "fuse_unk", false, "model"),
            ByteFallback = f.Bool(e, "byte_fallback", false, "model"),
            IgnoreMerges = f.Bool(e, "ignore_merges", false, "model"),
            ContinuingSubwordPrefix = prefix,
            EndOfWordSuffix = f.String(e, "end_of_word_suffix", "model"),
        };
        for (var b = 0; b < 256; b++) model._byteTokens[b] = vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
        model._splitsBeforeWordMarks = model.CanSplitBeforeWordMarks();
        return model;
    }

    /// <summary>
    /// Reads <c>model.merges</c> (<c>"a b"</c> strings or <c>[a, b]</c> pairs, earliest first) straight into the merge table.
    /// Each token is decoded from the document's UTF-8 into one reused buffer and looked up by span: Llama 3 has
    /// 280,000 merges, and making three strings per merge (left, right, joined) was most of its load time.
    /// </summary>
    private static MergeTable ReadMerges(JsonElement array, TokenIndex index, string? prefix, JsonFields f)
    {
        var merges = new MergeTable(array.GetArrayLength());
        var buffer = new char[512];
        var rank = 0;
        foreach (var m in array.EnumerateArray())
        {
            int leftLength, rightStart, rightLength;
            if (m.ValueKind == JsonValueKind.String)
            {
                var length = Decode(m, ref buffer, 0);
                var space = length > 1 ? buffer.AsSpan(1, length - 1).IndexOf(' ') + 1 : 0;
                if (space <= 0) throw f.Error($"model.merges: '{m.GetString()}' is not two tokens separated by a space");
                (leftLength, rightStart, rightLength) = (space, space + 1, length - space - 1);
            }
            else if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2 && m[0].ValueKind == JsonValueKind.String && m[1].ValueKind == JsonValueKind.String)
            {
                leftLength = Decode(m[0], ref buffer, 0);
                rightStart = leftLength;
                rightLength = Decode(m[1], ref buffer, rightStart);
            }
            else throw f.Error("model.merges entries should be \"a b\" strings or [a, b] pairs");

            // The joined token goes after both halves: left, then right without its continuing-subword prefix.
            var joinedStart = rightStart + rightLength;
            var tail = buffer.AsSpan(rightStart, rightLength);
            if (prefix is not null && tail.StartsWith(prefix, StringComparison.Ordinal)) tail = tail[prefix.Length..];
            var joinedLength = leftLength + tail.Length;
            if (buffer.Length < joinedStart + joinedLength) Array.Resize(ref buffer, 2 * (joinedStart + joinedLength));
            buffer.AsSpan(0, leftLength).CopyTo(buffer.AsSpan(joinedStart));
            buffer.AsSpan(rightStart + rightLength - tail.Length, tail.Length).CopyTo(buffer.AsSpan(joinedStart + leftLength));

            var l = index.Find(buffer.AsSpan(0, leftLength));
            var r = index.Find(buffer.AsSpan(rightStart, rightLength));
            var merged = index.Find(buffer.AsSpan(joinedStart, joinedLength));
            if (l < 0 || r < 0 || merged < 0)
                throw f.Error($"model.merges[{rank}] ('{buffer.AsSpan(0, leftLength)} {buffer.AsSpan(rightStart, rightLength)}') uses a token that is not in the vocabulary");
            merges.Add(l, r, rank, merged);
            rank++;
        }
        return merges;
    }

    /// <summary>Decodes a JSON string into <paramref name="buffer"/> at <paramref name="at"/>; returns its length in chars.</summary>
    private static int Decode(JsonElement s, ref char[] buffer, int at)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(s);
        if (raw.Length >= 2 && raw[0] == (byte)'"') raw = raw[1..^1];
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            var text = s.GetString()!;   // escapes: let the reader unescape
            if (buffer.Length < at + text.Length) Array.Resize(ref buffer, 2 * (at + text.Length));
            text.CopyTo(buffer.AsSpan(at));
            return text.Length;
        }
        if (buffer.Length < at + raw.Length) Array.Resize(ref buffer, 2 * (at + raw.Length));
        return Encoding.UTF8.GetChars(raw, buffer.AsSpan(at));
    }

    /// <summary>
    /// Whether a piece may be cut before every ▁ that follows another character and each part merged alone with the
    /// same result: no token (hence no merge result) has a ▁ after another character, ▁ itself is a token (so an
    /// unknown run never fuses across the cut), and no option depends on where a word starts or ends.
    /// </summary>
    private bool CanSplitBeforeWordMarks()
    {
        if (IgnoreMerges || ContinuingSubwordPrefix is not null || EndOfWordSuffix is not null) return false;
        if (!_vocab.ContainsKey(WordMark.ToString())) return false;
        foreach (var token in _vocab.Keys)
            if (token.AsSpan().TrimStart(WordMark).Contains(WordMark)) return false;
        return true;
    }

    public override void Tokenize(string piece, List<ModelToken> output)
    {
        if (piece.Length == 0) return;
        if (!_splitsBeforeWordMarks || piece.Length <= CachedWordMaxLength)
        {
            TokenizeWord(piece, 0, output);
            return;
        }
        // A word is a run of ▁ and the characters up to the next ▁.
        var start = 0;
        while (start < piece.Length)
        {
            var scan = start;
            while (scan < piece.Length && piece[scan] == WordMark) scan++;
            var next = piece.AsSpan(scan).IndexOf(WordMark);
            var end = next < 0 ? piece.Length : scan + next;
            TokenizeWord(piece.AsSpan(start, end - start), start, output);
            start = end;
        }
    }

    private void TokenizeWord(ReadOnlySpan<char> word, int offset, List<ModelToken> output)
    {
        var cacheable = word.Length <= CachedWordMaxLength;
        if (!cacheable || !_cache.TryGetValue(word, out var tokens))
        {
            tokens = TokenizeUncached(word);
            if (cacheable) _cache.Add(word, tokens);
        }
        if (offset == 0) output.AddRange(tokens);
        else foreach (var t in tokens) output.Add(new ModelToken(t.Id, t.Start + offset, t.End + offset));
    }

    /// <summary>Merges one piece (no cutting, no cache); token spans are relative to the piece.</summary>
    internal ModelToken[] TokenizeUncached(ReadOnlySpan<char> piece)
    {
        if (IgnoreMerges && _vocabBySpan.TryGetValue(piece, out var whole)) return [new ModelToken(whole, 0, piece.Length)];
        var ids = new List<int>(piece.Length);
        var starts = new List<int>(piece.Length);
        var ends = new List<int>(piece.Length);
        var unk = UnknownId;
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < piece.Length;)
        {
            var width = char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]) ? 2 : 1;
            var text = piece.Slice(i, width);
            string? affixed = null;
            if (ContinuingSubwordPrefix is not null && i > 0) affixed = ContinuingSubwordPrefix + text.ToString();
            if (EndOfWordSuffix is not null && i + width == piece.Length) affixed = (affixed ?? text.ToString()) + EndOfWordSuffix;
            var found = affixed is null ? _vocabBySpan.TryGetValue(text, out var id) : _vocab.TryGetValue(affixed, out id);
            if (found) Add(id, i, i + width);
            else if (ByteFallback && AllBytesKnown(text, utf8, out var n))
                for (var k = 0; k < n; k++) Add(_byteTokens[utf8[k]], i, i + width);
            else if (unk is { } u)
            {
                if (FuseUnknown && ids.Count > 0 && ids[^1] == u && starts.Count > 0) ends[^1] = i + width;
                else Add(u, i, i + width);
            }
            i += width;
        }
        var symbols = ids.ToArray();
        var symbolEnds = ends.ToArray();
        var count = BytePairMerger.Merge(Merges, symbols, symbolEnds);
        var result = new ModelToken[count];
        var start = 0;
        for (var k = 0; k < count; k++)
        {
            // Byte-fallback tokens of one character all get that character's span.
            var s = symbolEnds[k] > start || k == 0 ? start : result[k - 1].Start;
            result[k] = new ModelToken(symbols[k], s, symbolEnds[k]);
            start = symbolEnds[k];
        }
        return result;

        void Add(int id, int s, int e) { ids.Add(id); starts.Add(s); ends.Add(e); }
    }

    private bool AllBytesKnown(ReadOnlySpan<char> text, Span<byte> utf8, out int n)
    {
        n = Encoding.UTF8.GetBytes(text, utf8);
        for (var k = 0; k < n; k++) if (_byteTokens[utf8[k]] < 0) return false;
        return true;
    }
}
