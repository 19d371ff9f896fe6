using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace NextToken.Tokenizers.SentencePiece;

// Performance notes. Encoding ~2 MB of English with Llama 2's BPE is dominated by segmentation. Segmenting the
// whole normalized text in one heap-driven pass is correct for every model but slow; when no piece has a ▁
// after another character (checked at load, true for Llama 2 and the stories vocabularies), the text is cut
// before each word's ▁ run and each word's tokens are cached (span-keyed lookup, no allocation on a hit).
// Identity normalization is a vectorized ' ' → ▁ replace when no offsets are wanted. Unigram always runs on the
// whole text: Viterbi is linear, and restarting its float sums per word could flip SentencePiece's near-ties.

/// <summary>
/// The SentencePiece family: Llama 1/2, Mistral-style <c>tokenizer.model</c> files, GGUF vocabularies whose
/// <c>tokenizer.ggml.model</c> is <c>llama</c>, and llama2.c <c>tokenizer.bin</c> files. Text is normalized
/// (spaces become ▁, a dummy ▁ goes in front), then segmented by BPE merges or by Unigram's best-scoring path;
/// characters with no piece become <c>&lt;0xXX&gt;</c> byte tokens when the model has byte fallback.
/// </summary>
/// <remarks>
/// With <c>allowSpecialTokens</c>, control, unknown and user-defined pieces written in the text (<c>&lt;s&gt;</c>)
/// become those tokens, and the text after each one gets its own dummy prefix, as llama.cpp (and Hugging Face's
/// legacy Llama tokenizer) do. Decoding joins each token's bytes and removes the one space the dummy prefix put at
/// the very start, so <c>Decode(Encode(t)) == t</c> for models without extra-space removal.
/// </remarks>
/// <example><code>
/// var tok = SentencePieceTokenizer.FromModelFile("llama2/tokenizer.model");
/// int[] ids = tok.Encode("sun", addSpecialTokens: true);   // [1, 6575]
/// string piece = tok.TokenToPiece(6575);                     // "▁sun"
/// </code></example>
public sealed partial class SentencePieceTokenizer : Tokenizer
{
    /// <summary>Words longer than this are segmented directly instead of going through the cache.</summary>
    private const int MaxCachedWordLength = 64;
    private const int MaxCachedWords = 1 << 17;

    private readonly SentencePieceVocabulary _vocabulary;
    private readonly SentencePieceOptions _options;
    private readonly SentencePieceNormalizer _normalizer;
    private readonly BpeSegmenter? _bpe;
    private readonly UnigramSegmenter? _unigram;
    private readonly UserDefinedMatcher? _specialMatcher;
    private readonly SearchValues<char>? _specialFirstChars;
    private readonly bool _splitIntoWords;
    private readonly bool _stripLeadingSpace;
    private readonly ConcurrentDictionary<string, PieceSpan[]> _wordCache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PieceSpan[]>.AlternateLookup<ReadOnlySpan<char>> _wordCacheLookup;
    private int _wordCacheAdds; // counted here: ConcurrentDictionary.Count takes every lock

    [ThreadStatic] private static NormalizedText? t_normalized;
    [ThreadStatic] private static List<PieceSpan>? t_pieces;

    internal SentencePieceTokenizer(SentencePieceOptions options)
    {
        _options = options;
        FileFormatException Error(string problem) => new("tokenizer", options.SourcePath, problem);
        _vocabulary = new SentencePieceVocabulary(options.Pieces, options.Scores, options.Types,
            allowDuplicates: options.MergeRule == MergeRule.AnyPiece, Error);
        var count = _vocabulary.Count;
        int? Checked(int? id, string what) => id is null || (id >= 0 && id < count) ? id
            : throw Error($"{what} id {id} is outside the vocabulary of {count} tokens");
        UnknownTokenId = Checked(options.UnknownId, "unknown");
        BosTokenId = Checked(options.BosId, "BOS");
        EosTokenId = Checked(options.EosId, "EOS");
        PadTokenId = Checked(options.PadId, "padding");
        AddsBosToken = options.AddBos && BosTokenId is not null;
        AddsEosToken = options.AddEos && EosTokenId is not null;
        var byteFallback = options.ByteFallback && _vocabulary.HasAllBytes;
        if (UnknownTokenId is null && !byteFallback)
            throw Error("the vocabulary has neither an unknown token nor the 256 byte-fallback tokens");
        var unknownId = UnknownTokenId ?? -1;

        _normalizer = new SentencePieceNormalizer(options);
        var userDefined = UserDefinedMatcher.Create(Enumerable.Range(0, count)
            .Where(id => options.Types[id] == PieceType.UserDefined).Select(id => options.Pieces[id]));
        if (options.Algorithm == SegmentationAlgorithm.Bpe)
            _bpe = new BpeSegmenter(_vocabulary, options.MergeRule, byteFallback, unknownId, userDefined);
        else
            _unigram = new UnigramSegmenter(_vocabulary, byteFallback, unknownId);

        var specials = Enumerable.Range(0, count)
            .Where(id => options.Types[id] is PieceType.Control or PieceType.Unknown or PieceType.UserDefined)
            .Select(id => options.Pieces[id]).Where(p => p.Length > 0).ToArray();
        _specialMatcher = UserDefinedMatcher.Create(specials);
        if (_specialMatcher is not null) _specialFirstChars = SearchValues.Create(specials.Select(p => p[0]).Distinct().ToArray());

        _splitIntoWords = options.Algorithm == SegmentationAlgorithm.Bpe && CanSplitIntoWords(options, _normalizer.Space);
        _stripLeadingSpace = options.AddDummyPrefix && !options.TreatWhitespaceAsSuffix;
        _wordCacheLookup = _wordCache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// BPE merges never cross the point before a ▁ that follows another character when no piece has a ▁
    /// after a non-▁ character: such a merge would make a string that is not in the vocabulary. The text can
    /// then be cut there into words that are segmented (and cached) one by one with the very same result.
    /// </summary>
    private static bool CanSplitIntoWords(SentencePieceOptions options, char space)
    {
        if (options.TreatWhitespaceAsSuffix || space != '▁') return false;
        foreach (var piece in options.Pieces)
        {
            var rest = piece.AsSpan().TrimStart('▁');
            if (rest.Contains('▁')) return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public override int VocabularySize => _vocabulary.Count;

    /// <summary>Whether this model segments with BPE merges (true) or with Unigram's Viterbi search (false).</summary>
    public bool IsBpe => _bpe is not null;

    /// <summary>The score of a piece (BPE: merge priority; Unigram: log probability).</summary>
    public float GetScore(int id) => _vocabulary.Scores[CheckId(id)];

    /// <summary>The type of a piece (normal, control, byte…).</summary>
    public PieceType GetPieceType(int id) => _vocabulary.Types[CheckId(id)];

    /// <inheritdoc/>
    public override int[] Encode(string text, bool addSpecialTokens = false, bool allowSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        EncodeCore(text, addSpecialTokens, allowSpecialTokens, ids, null);
        return ids.ToArray();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<EncodedToken> EncodeWithOffsets(string text, bool addSpecialTokens = false, bool allowSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<EncodedToken>(text.Length / 3 + 2);
        EncodeCore(text, addSpecialTokens, allowSpecialTokens, null, tokens);
        return tokens;
    }

    private void EncodeCore(string text, bool addSpecialTokens, bool allowSpecialTokens, List<int>? ids, List<EncodedToken>? tokens)
    {
        if (addSpecialTokens && AddsBosToken) Add(BosTokenId!.Value, 0, 0);
        var fragmentStart = 0;
        if (allowSpecialTokens && _specialMatcher is not null)
        {
            var position = 0;
            while (position < text.Length)
            {
                var next = text.AsSpan(position).IndexOfAny(_specialFirstChars!);
                if (next < 0) break;
                position += next;
                var special = _specialMatcher.MatchPiece(text.AsSpan(position));
                if (special is null)
                {
                    position++;
                    continue;
                }
                EncodeFragment(text, fragmentStart, position, ids, tokens);
                Add(_vocabulary.Find(special), position, special.Length);
                position += special.Length;
                fragmentStart = position;
            }
        }
        EncodeFragment(text, fragmentStart, text.Length, ids, tokens);
        if (addSpecialTokens && AddsEosToken) Add(EosTokenId!.Value, text.Length, 0);

        void Add(int id, int start, int length)
        {
            ids?.Add(id);
            tokens?.Add(new EncodedToken(id, start, length));
        }
    }

    /// <summary>Normalizes and segments text[start..end]; every fragment gets its own dummy prefix.</summary>
    private void EncodeFragment(string text, int start, int end, List<int>? ids, List<EncodedToken>? tokens)
    {
        if (start >= end) return;
        var normalized = t_normalized ??= new NormalizedText();
        normalized.Reset(end - start + 2, trackOrigins: tokens is not null);
        _normalizer.Normalize(text.AsSpan(start, end - start), start, addDummyPrefix: true, normalized);
        var chars = normalized.Chars;
        if (chars.IsEmpty) return;

        var pieces = t_pieces ??= new List<PieceSpan>();
        pieces.Clear();
        if (!_splitIntoWords)
        {
            if (_bpe is not null) _bpe.Segment(chars, pieces);
            else _unigram!.Segment(chars, pieces);
            Emit(pieces, 0);
            return;
        }

        // A word is a run of ▁ followed by characters that are not ▁.
        var wordStart = 0;
        while (wordStart < chars.Length)
        {
            var scan = wordStart;
            while (scan < chars.Length && chars[scan] == '▁') scan++;
            var nextSpace = chars[scan..].IndexOf('▁');
            var wordEnd = nextSpace < 0 ? chars.Length : scan + nextSpace;
            var word = chars[wordStart..wordEnd];
            if (word.Length <= MaxCachedWordLength)
            {
                if (!_wordCacheLookup.TryGetValue(word, out var cached))
                {
                    pieces.Clear();
                    _bpe!.Segment(word, pieces);
                    cached = pieces.ToArray();
                    if (Interlocked.Increment(ref _wordCacheAdds) % MaxCachedWords == 0) _wordCache.Clear();
                    _wordCacheLookup.TryAdd(word, cached);
                }
                Emit(cached, wordStart);
            }
            else
            {
                pieces.Clear();
                _bpe!.Segment(word, pieces);
                Emit(pieces, wordStart);
            }
            wordStart = wordEnd;
        }

        void Emit(IReadOnlyList<PieceSpan> found, int offset)
        {
            if (tokens is null)
            {
                if (found is PieceSpan[] array) foreach (var piece in array) ids!.Add(piece.Id);
                else for (var i = 0; i < found.Count; i++) ids!.Add(found[i].Id);
                return;
            }
            for (var i = 0; i < found.Count; i++)
            {
                var piece = found[i];
                var first = normalized.Origin(offset + piece.Start);
                var last = normalized.Origin(offset + piece.Start + piece.Length);
                tokens.Add(new EncodedToken(piece.Id, first, Math.Max(0, last - first)));
            }
        }
    }

    /// <inheritdoc/>
    public override string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var buffer = new ArrayBufferWriter<byte>(ids.Length * 4 + 16);
        foreach (var id in ids)
        {
            CheckId(id, nameof(ids));
            if (skipSpecialTokens && IsSpecialToken(id)) continue;
            buffer.Write(_vocabulary.BytesOf(id));
        }
        var bytes = buffer.WrittenSpan;
        if (_stripLeadingSpace && bytes.Length > 0 && bytes[0] == (byte)' ') bytes = bytes[1..];
        return Encoding.UTF8.GetString(bytes);
    }

    /// <inheritdoc/>
    public override string TokenToPiece(int id) => _vocabulary.Pieces[CheckId(id)];

    /// <inheritdoc/>
    public override byte[] TokenBytes(int id) => (byte[])_vocabulary.BytesOf(CheckId(id)).Clone();

    /// <inheritdoc/>
    public override int? PieceToId(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        var id = _vocabulary.Find(piece);
        return id >= 0 ? id : null;
    }

    /// <summary>Control tokens (<c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>) and the unknown token.</summary>
    public override bool IsSpecialToken(int id) => _vocabulary.Types[CheckId(id)] is PieceType.Control or PieceType.Unknown;

    /// <inheritdoc/>
    public override IncrementalDecoder CreateIncrementalDecoder(bool skipSpecialTokens = false) =>
        new ByteStreamDecoder(this, skipSpecialTokens, _stripLeadingSpace);

    private int CheckId(int id, string parameter = "id") =>
        (uint)id < (uint)_vocabulary.Count ? id
            : throw new ArgumentOutOfRangeException(parameter, id, $"token id {id} is outside the vocabulary of {_vocabulary.Count} tokens");
}
