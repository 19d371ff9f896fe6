using System.Collections.Concurrent;
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
    private const int CachedWordMaxLength = 64;

    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabBySpan;
    private readonly string?[] _pieces;
    private readonly int[] _byteTokens = new int[256];
    private readonly ConcurrentDictionary<string, ModelToken[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelToken[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;
    private int _cacheCount;   // ConcurrentDictionary.Count takes every bucket lock: far too slow to ask per piece
    private bool _splitsBeforeWordMarks;

    private BpeModel(Dictionary<string, int> vocab, string?[] pieces, MergeTable merges, List<(string, string)> mergeList)
    {
        _vocab = vocab;
        _vocabBySpan = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        _pieces = pieces;
        Merges = merges;
        MergeList = mergeList;
    }

    public MergeTable Merges { get; }
    public List<(string Left, string Right)> MergeList { get; }
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
        var mergeList = new List<(string, string)>();
        foreach (var m in f.Array(e, "merges", "model").EnumerateArray())
        {
            if (m.ValueKind == JsonValueKind.String)
            {
                var s = m.GetString()!;
                var space = s.IndexOf(' ', 1);
                if (space <= 0) throw f.Error($"model.merges: '{s}' is not two tokens separated by a space");
                mergeList.Add((s[..space], s[(space + 1)..]));
            }
            else if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2 && m[0].ValueKind == JsonValueKind.String && m[1].ValueKind == JsonValueKind.String)
                mergeList.Add((m[0].GetString()!, m[1].GetString()!));
            else throw f.Error("model.merges entries should be \"a b\" strings or [a, b] pairs");
        }
        var prefix = f.String(e, "continuing_subword_prefix", "model");
        var merges = new MergeTable(mergeList.Count);
        for (var rank = 0; rank < mergeList.Count; rank++)
        {
            var (left, right) = mergeList[rank];
            var mergedText = left + (prefix is not null && right.StartsWith(prefix, StringComparison.Ordinal) ? right[prefix.Length..] : right);
            if (!vocab.TryGetValue(left, out var l) || !vocab.TryGetValue(right, out var r) || !vocab.TryGetValue(mergedText, out var merged))
                throw f.Error($"model.merges[{rank}] ('{left} {right}') uses a token that is not in the vocabulary");
            merges.Add(l, r, rank, merged);
        }
        var model = new BpeModel(vocab, pieces, merges, mergeList)
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
        if (!cacheable || !_cacheBySpan.TryGetValue(word, out var tokens))
        {
            tokens = TokenizeUncached(word);
            if (cacheable && Volatile.Read(ref _cacheCount) < 100_000 && _cacheBySpan.TryAdd(word, tokens))
                Interlocked.Increment(ref _cacheCount);
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
