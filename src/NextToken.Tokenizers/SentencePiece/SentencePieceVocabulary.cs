using System.Text;

namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// The pieces of a SentencePiece-style vocabulary with their scores and types, a piece → id lookup that takes
/// spans (no string is allocated per lookup), the id of each byte-fallback token and each token's decoded bytes.
/// </summary>
internal sealed class SentencePieceVocabulary
{
    /// <summary>FLT_MIN, the start value SentencePiece uses for the best normal score (so it is never below it).</summary>
    private const float SmallestNormalFloat = 1.17549435E-38f;

    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;
    private readonly byte[][] _bytes;

    public SentencePieceVocabulary(string[] pieces, float[] scores, PieceType[] types, bool allowDuplicates, Func<string, Exception> error)
    {
        Pieces = pieces;
        Scores = scores;
        Types = types;
        _ids = new Dictionary<string, int>(pieces.Length, StringComparer.Ordinal);
        ByteIds = new int[256];
        Array.Fill(ByteIds, -1);
        _bytes = new byte[pieces.Length][];
        MinNormalScore = float.MaxValue;
        MaxNormalScore = SmallestNormalFloat;
        for (var id = 0; id < pieces.Length; id++)
        {
            var piece = pieces[id];
            if (!_ids.TryAdd(piece, id))
            {
                if (!allowDuplicates) throw error($"piece '{piece}' appears twice (ids {_ids[piece]} and {id})");
                _ids[piece] = id; // the later entry wins, as in llama.cpp's text-to-token map
            }
            var type = types[id];
            if (type == PieceType.Byte)
            {
                if (!TryParseBytePiece(piece, out var value)) throw error($"byte piece {id} '{piece}' is not of the form <0xXX>");
                if (ByteIds[value] < 0) ByteIds[value] = id;
                _bytes[id] = [value];
            }
            else
            {
                _bytes[id] = Encoding.UTF8.GetBytes(type is PieceType.Control or PieceType.Unknown ? piece : piece.Replace('▁', ' '));
            }
            if (type == PieceType.Normal)
            {
                MinNormalScore = Math.Min(MinNormalScore, scores[id]);
                MaxNormalScore = Math.Max(MaxNormalScore, scores[id]);
            }
            MaxPieceLength = Math.Max(MaxPieceLength, piece.Length);
            HasUnusedPieces |= type == PieceType.Unused;
        }
        if (MinNormalScore == float.MaxValue) MinNormalScore = 0;
        HasAllBytes = Array.IndexOf(ByteIds, -1) < 0;
        _spanLookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string[] Pieces { get; }
    public float[] Scores { get; }
    public PieceType[] Types { get; }
    public int Count => Pieces.Length;

    /// <summary>For each byte value, the id of its <c>&lt;0xXX&gt;</c> token, or -1.</summary>
    public int[] ByteIds { get; }

    /// <summary>True when every one of the 256 byte tokens exists.</summary>
    public bool HasAllBytes { get; }

    /// <summary>The longest piece, in UTF-16 code units: no lookup of a longer span can succeed.</summary>
    public int MaxPieceLength { get; }

    public float MinNormalScore { get; }
    public float MaxNormalScore { get; }
    public bool HasUnusedPieces { get; }

    /// <summary>The id of a piece given as a span, or -1.</summary>
    public int Find(ReadOnlySpan<char> piece) =>
        piece.Length <= MaxPieceLength && _spanLookup.TryGetValue(piece, out var id) ? id : -1;

    /// <summary>The bytes a token adds to decoded text.</summary>
    public byte[] BytesOf(int id) => _bytes[id];

    /// <summary>Parses <c>&lt;0xXX&gt;</c> (hex digits in either case).</summary>
    public static bool TryParseBytePiece(string piece, out byte value)
    {
        value = 0;
        return piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }
}
