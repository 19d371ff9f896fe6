using System.Text;

namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// Unigram segmentation as SentencePiece does it: the Viterbi path through every way of covering the text with
/// pieces, maximizing the sum of piece scores. A character no piece starts with costs the lowest normal score
/// minus 10 and is unknown; runs of unknown characters become one unknown token (or their bytes, with byte
/// fallback). User-defined pieces score <c>utf8Length × bestNormalScore − 0.1</c>, so they win over their parts.
/// Arithmetic follows SentencePiece's float/double mix so that near-ties resolve the same way.
/// </summary>
internal sealed class UnigramSegmenter
{
    private const float UnknownPenalty = 10f;

    private readonly SentencePieceVocabulary _vocabulary;
    private readonly bool _byteFallback;
    private readonly int _unknownId;
    private readonly float _unknownScore;

    public UnigramSegmenter(SentencePieceVocabulary vocabulary, bool byteFallback, int unknownId)
    {
        _vocabulary = vocabulary;
        _byteFallback = byteFallback && vocabulary.HasAllBytes;
        _unknownId = unknownId;
        _unknownScore = vocabulary.MinNormalScore - UnknownPenalty;
    }

    public void Segment(ReadOnlySpan<char> text, List<PieceSpan> output)
    {
        var n = text.Length;
        if (n == 0) return;
        var bestScore = new float[n + 1];
        var startsAt = new int[n + 1];
        var bestId = new int[n + 1];
        Array.Fill(startsAt, -1);
        var maxLength = _vocabulary.MaxPieceLength;

        for (var begin = 0; begin < n;)
        {
            var charLength = char.IsHighSurrogate(text[begin]) && begin + 1 < n && char.IsLowSurrogate(text[begin + 1]) ? 2 : 1;
            var scoreHere = bestScore[begin];
            var hasSingleCharPiece = false;
            for (var length = 1; length <= maxLength && begin + length <= n; length++)
            {
                var end = begin + length;
                if (end < n && char.IsLowSurrogate(text[end]) && char.IsHighSurrogate(text[end - 1])) continue; // inside a pair
                var id = _vocabulary.Find(text.Slice(begin, length));
                if (id < 0) continue;
                var type = _vocabulary.Types[id];
                if (type is not (PieceType.Normal or PieceType.UserDefined)) continue;
                double score = type == PieceType.UserDefined
                    ? (float)Encoding.UTF8.GetByteCount(text.Slice(begin, length)) * _vocabulary.MaxNormalScore - 0.1
                    : _vocabulary.Scores[id];
                var candidate = score + scoreHere;
                if (startsAt[end] == -1 || candidate > bestScore[end])
                {
                    bestScore[end] = (float)candidate;
                    startsAt[end] = begin;
                    bestId[end] = id;
                }
                if (length == charLength) hasSingleCharPiece = true;
            }
            if (!hasSingleCharPiece)
            {
                var end = begin + charLength;
                var candidate = _unknownScore + scoreHere;
                if (startsAt[end] == -1 || candidate > bestScore[end])
                {
                    bestScore[end] = candidate;
                    startsAt[end] = begin;
                    bestId[end] = _unknownId;
                }
            }
            begin += charLength;
        }

        // Walk back from the end, then emit in order, joining runs of unknown characters.
        var path = new List<PieceSpan>();
        for (var end = n; end > 0; end = startsAt[end]) path.Add(new PieceSpan(bestId[end], startsAt[end], end - startsAt[end]));
        path.Reverse();
        for (var i = 0; i < path.Count; i++)
        {
            var piece = path[i];
            if (piece.Id != _unknownId)
            {
                output.Add(piece);
                continue;
            }
            var last = i;
            while (last + 1 < path.Count && path[last + 1].Id == _unknownId) last++;
            var start = piece.Start;
            var stop = path[last].Start + path[last].Length;
            BpeSegmenter.EmitUnknown(_vocabulary, _byteFallback, _unknownId, text[start..stop], start, output);
            i = last;
        }
    }
}
