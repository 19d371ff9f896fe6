using System.Text.Json;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>
/// BERT's WordPiece: each word is cut greedily into the longest vocabulary entries from the left, pieces after the
/// first carrying <c>##</c>; a word that cannot be cut completely (or is too long) becomes the unknown token.
/// </summary>
internal sealed class WordPieceModel : TokenModel
{
    private readonly Dictionary<string, int> _vocab;
    private readonly string?[] _pieces;
    private readonly int _unknown;

    public WordPieceModel(Dictionary<string, int> vocab, string?[] pieces, string unknownToken, string prefix, int maxCharsPerWord, string path)
    {
        _vocab = vocab;
        _pieces = pieces;
        _unknown = vocab.TryGetValue(unknownToken, out var u) ? u : throw new FileFormatException("tokenizer", path, $"the unknown token '{unknownToken}' is not in the vocabulary");
        Prefix = prefix;
        MaxCharsPerWord = maxCharsPerWord;
    }

    public string Prefix { get; }
    public int MaxCharsPerWord { get; }
    public override string?[] Pieces => _pieces;
    public override int? UnknownId => _unknown;
    public override int? Find(string piece) => _vocab.TryGetValue(piece, out var id) ? id : null;

    public static new WordPieceModel Read(JsonElement e, JsonFields f)
    {
        var (vocab, pieces) = ReadVocabObject(e, f);
        return new WordPieceModel(vocab, pieces, f.String(e, "unk_token", "model") ?? "[UNK]",
            f.String(e, "continuing_subword_prefix", "model") ?? "##", f.Int(e, "max_input_chars_per_word", 100, "model"), f.Path);
    }

    public override void Tokenize(string piece, List<ModelToken> output)
    {
        if (piece.Length == 0) return;
        if (piece.EnumerateRunes().Count() > MaxCharsPerWord) { output.Add(new ModelToken(_unknown, 0, piece.Length)); return; }
        var first = output.Count;
        var start = 0;
        while (start < piece.Length)
        {
            var found = -1;
            var end = piece.Length;
            for (; end > start; end--)
            {
                if (end < piece.Length && char.IsLowSurrogate(piece[end]) && char.IsHighSurrogate(piece[end - 1])) continue;
                var candidate = start > 0 ? Prefix + piece[start..end] : piece[start..end];
                if (_vocab.TryGetValue(candidate, out found)) break;
                found = -1;
            }
            if (found < 0)
            {
                output.RemoveRange(first, output.Count - first);
                output.Add(new ModelToken(_unknown, 0, piece.Length));
                return;
            }
            output.Add(new ModelToken(found, start, end));
            start = end;
        }
    }
}
