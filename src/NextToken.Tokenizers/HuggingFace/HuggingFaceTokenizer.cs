using System.Text;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> pipeline: added tokens are cut out first, the rest goes through the
/// normalizer, the pre-tokenizer and the model (BPE, Unigram or WordPiece), and the post-processor adds the
/// template's special tokens. Load one with <see cref="HuggingFaceTokenizers.Load"/>, which returns the faster
/// <see cref="Bpe.ByteLevelBpeTokenizer"/> instead for plain byte-level BPE files such as Llama 3's.
/// </summary>
public sealed class HuggingFaceTokenizer : Tokenizer
{
    private readonly Normalizer? _normalizer;
    private readonly PreTokenizer? _preTokenizer;
    private readonly TokenModel _model;
    private readonly TokenDecoder _decoder;
    private readonly AddedToken[] _added;          // longest first
    private readonly AddedToken[] _alwaysMatched;  // the non-special ones
    private readonly string?[] _pieces;
    private readonly bool[] _special;
    private readonly byte[]?[] _bytes;
    private readonly Dictionary<string, int> _pieceToId = new(StringComparer.Ordinal);
    private readonly int[] _prefix;
    private readonly int[] _suffix;

    internal HuggingFaceTokenizer(string name, Normalizer? normalizer, PreTokenizer? preTokenizer, TokenModel model, TokenDecoder decoder,
        IReadOnlyList<AddedToken> added, int[] prefix, int[] suffix, SpecialTokenNames names)
    {
        Name = name;
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _model = model;
        _decoder = decoder;
        _added = added.OrderByDescending(a => a.Content.Length).ToArray();
        _alwaysMatched = _added.Where(a => !a.Special).ToArray();
        var size = Math.Max(model.Pieces.Length, added.Count == 0 ? 0 : added.Max(a => a.Id) + 1);
        _pieces = new string?[size];
        Array.Copy(model.Pieces, _pieces, model.Pieces.Length);
        _special = new bool[size];
        foreach (var a in added) { _pieces[a.Id] = a.Content; _special[a.Id] = a.Special; }
        for (var id = 0; id < size; id++) if (_pieces[id] is { } p) _pieceToId.TryAdd(p, id);
        _bytes = new byte[]?[size];
        _prefix = prefix;
        _suffix = suffix;
        BosTokenId = names.Bos is { } b ? PieceToId(b) : null;
        EosTokenId = names.Eos is { } e ? PieceToId(e) : null;
        PadTokenId = names.Pad is { } p2 ? PieceToId(p2) : null;
        UnknownTokenId = names.Unknown is { } u ? PieceToId(u) : model.UnknownId;
        AddsBosToken = BosTokenId is { } bos && prefix.Contains(bos);
        AddsEosToken = EosTokenId is { } eos && suffix.Contains(eos);
    }

    /// <summary>The model (BPE, Unigram, WordPiece) that turns pieces into tokens.</summary>
    internal TokenModel Model => _model;

    /// <summary>The folder or file the tokenizer came from.</summary>
    public string Name { get; }

    public override int VocabularySize => _pieces.Length;

    public override int[] Encode(string text, bool addSpecialTokens = false, bool allowSpecialTokens = false) =>
        EncodeWithOffsets(text, addSpecialTokens, allowSpecialTokens).Select(t => t.Id).ToArray();

    public override IReadOnlyList<EncodedToken> EncodeWithOffsets(string text, bool addSpecialTokens = false, bool allowSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<EncodedToken>();
        if (addSpecialTokens) foreach (var id in _prefix) output.Add(new EncodedToken(id, 0, 0));
        var added = allowSpecialTokens ? _added : _alwaysMatched;
        var position = 0;
        var first = true;
        while (position < text.Length)
        {
            var found = AddedToken.TryFindNext(text, position, added, out var s, out var e, out var token);
            var segmentEnd = found ? s : text.Length;
            if (segmentEnd > position) EncodeSection(text, position, segmentEnd, first, output);
            first = false;
            if (!found) break;
            output.Add(new EncodedToken(token!.Id, s, e - s));
            position = e;
        }
        if (addSpecialTokens) foreach (var id in _suffix) output.Add(new EncodedToken(id, text.Length, 0));
        return output;
    }

    private void EncodeSection(string text, int start, int end, bool isFirst, List<EncodedToken> output)
    {
        var section = TextWithOffsets.FromOriginal(text[start..end], start);
        if (_normalizer is not null) section = _normalizer.Apply(section);
        var pieces = new List<TextWithOffsets> { section };
        if (_preTokenizer is not null) pieces = _preTokenizer.Apply(pieces, isFirst);
        var tokens = new List<ModelToken>();
        foreach (var piece in pieces)
        {
            if (piece.Length == 0) continue;
            tokens.Clear();
            _model.Tokenize(piece.Text, tokens);
            foreach (var t in tokens)
            {
                var (s, e) = piece.OriginalSpan(t.Start, t.End);
                output.Add(new EncodedToken(t.Id, s, e - s));
            }
        }
    }

    public override string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        if (!_decoder.IsByteWise)
        {
            var list = new List<string>();
            foreach (var id in ids) if (!(skipSpecialTokens && IsSpecialToken(id))) list.Add(TokenToPiece(id));
            return _decoder.DecodeStrings(list);
        }
        var buffer = new List<byte>();
        foreach (var id in ids) if (!(skipSpecialTokens && IsSpecialToken(id))) buffer.AddRange(TokenBytes(id));
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer);
        if (_decoder.StripsLeadingSpace && span.Length > 0 && span[0] == ' ') span = span[1..];
        return Encoding.UTF8.GetString(span);
    }

    public override string TokenToPiece(int id) =>
        (uint)id < (uint)_pieces.Length && _pieces[id] is { } p ? p
            : throw new ArgumentOutOfRangeException(nameof(id), id, $"token id {id} is not in the vocabulary of {Name} ({VocabularySize} ids)");

    public override byte[] TokenBytes(int id)
    {
        var piece = TokenToPiece(id);
        return _bytes[id] ??= _special[id] || _added.Any(a => a.Id == id) ? Encoding.UTF8.GetBytes(piece) : _decoder.TokenBytes(piece);
    }

    public override int? PieceToId(string piece) => _pieceToId.TryGetValue(piece, out var id) ? id : null;

    public override bool IsSpecialToken(int id) => (uint)id < (uint)_special.Length && _special[id];

    public override IncrementalDecoder CreateIncrementalDecoder(bool skipSpecialTokens = false) =>
        new ByteStreamDecoder(this, skipSpecialTokens, _decoder.StripsLeadingSpace);

    public override string ToString() => $"{Name} (Hugging Face {_model.GetType().Name.Replace("Model", "")}, {VocabularySize} ids)";
}

/// <summary>The BOS/EOS/PAD/UNK token texts from <c>tokenizer_config.json</c>.</summary>
internal sealed record SpecialTokenNames(string? Bos, string? Eos, string? Pad, string? Unknown);
