using System.Text;
using System.Text.Json;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>
/// The Unigram model (SentencePiece's unigram, as <c>tokenizer.json</c> stores it): each piece has a log
/// probability and the tokenization is the most probable segmentation (Viterbi). Characters no piece covers
/// become the unknown token (runs fused) or, with <c>byte_fallback</c>, <c>&lt;0xNN&gt;</c> byte tokens.
/// </summary>
internal sealed class UnigramModel : TokenModel
{
    private const double UnknownPenalty = 10.0;
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly string?[] _pieces;
    private readonly double[] _scores;
    private readonly int _maxPieceLength;
    private readonly double _unknownScore;
    private readonly bool _byteFallback;
    private readonly int? _unknown;

    private UnigramModel(string?[] pieces, double[] scores, int? unknown, bool byteFallback)
    {
        _pieces = pieces;
        _scores = scores;
        _unknown = unknown;
        _byteFallback = byteFallback;
        _vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var id = 0; id < pieces.Length; id++) if (pieces[id] is { } p) _vocab.TryAdd(p, id);
        _bySpan = _vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxPieceLength = pieces.Max(p => p?.Length ?? 0);
        _unknownScore = scores.Length == 0 ? -UnknownPenalty : scores.Min() - UnknownPenalty;
    }

    public override string?[] Pieces => _pieces;
    public override int? UnknownId => _unknown;
    public override int? Find(string piece) => _vocab.TryGetValue(piece, out var id) ? id : null;

    public static new UnigramModel Read(JsonElement e, JsonFields f)
    {
        var vocab = f.Array(e, "vocab", "model");
        var pieces = new string?[vocab.GetArrayLength()];
        var scores = new double[pieces.Length];
        var i = 0;
        foreach (var entry in vocab.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2 || entry[0].ValueKind != JsonValueKind.String || entry[1].ValueKind != JsonValueKind.Number)
                throw f.Error($"model.vocab[{i}] should be [piece, score]");
            pieces[i] = entry[0].GetString();
            scores[i] = entry[1].GetDouble();
            i++;
        }
        var unk = f.Optional(e, "unk_id") is { ValueKind: JsonValueKind.Number } u ? u.GetInt32() : (int?)null;
        if (unk is { } id && (id < 0 || id >= pieces.Length)) throw f.Error($"model.unk_id {id} is outside the vocabulary");
        return new UnigramModel(pieces, scores, unk, f.Bool(e, "byte_fallback", false, "model"));
    }

    public override void Tokenize(string piece, List<ModelToken> output)
    {
        var n = piece.Length;
        if (n == 0) return;
        var best = new double[n + 1];
        var from = new int[n + 1];
        var token = new int[n + 1];
        Array.Fill(best, double.NegativeInfinity);
        best[0] = 0;
        for (var i = 0; i < n; i++)
        {
            if (double.IsNegativeInfinity(best[i]) || (char.IsLowSurrogate(piece[i]) && i > 0 && char.IsHighSurrogate(piece[i - 1]))) continue;
            var charEnd = i + (char.IsHighSurrogate(piece[i]) && i + 1 < n && char.IsLowSurrogate(piece[i + 1]) ? 2 : 1);
            var coveredChar = false;
            for (var end = charEnd; end <= Math.Min(n, i + _maxPieceLength); end++)
            {
                if (end < n && char.IsLowSurrogate(piece[end]) && char.IsHighSurrogate(piece[end - 1])) continue;
                if (!_bySpan.TryGetValue(piece.AsSpan(i, end - i), out var id)) continue;
                if (end == charEnd) coveredChar = true;
                var score = best[i] + _scores[id];
                if (score > best[end]) { best[end] = score; from[end] = i; token[end] = id; }
            }
            if (!coveredChar)
            {
                var score = best[i] + _unknownScore;
                if (score > best[charEnd]) { best[charEnd] = score; from[charEnd] = i; token[charEnd] = -1; }
            }
        }
        var path = new List<ModelToken>();
        for (var end = n; end > 0; end = from[end]) path.Add(new ModelToken(token[end], from[end], end));
        path.Reverse();
        foreach (var t in path)
        {
            if (t.Id >= 0) { output.Add(t); continue; }
            if (_byteFallback)
            {
                var bytes = Encoding.UTF8.GetBytes(piece[t.Start..t.End]);
                var ids = bytes.Select(b => Find($"<0x{b:X2}>")).ToArray();
                if (ids.All(x => x is not null)) { foreach (var id in ids) output.Add(new ModelToken(id!.Value, t.Start, t.End)); continue; }
            }
            if (_unknown is not { } unk) continue;
            if (output.Count > 0 && output[^1].Id == unk && output[^1].End == t.Start) output[^1] = output[^1] with { End = t.End };
            else output.Add(new ModelToken(unk, t.Start, t.End));
        }
    }
}
