using System.Text;
using NextToken.Tokenizers;

namespace NextToken.Tests.Generation.Fakes;

/// <summary>
/// A character-level tokenizer for tests: id 0 is BOS "&lt;s&gt;", 1 is EOS "&lt;/s&gt;", then one id per character of
/// <see cref="Alphabet"/>. Optional merges make a multi-character token (to test tokenization across boundaries).
/// </summary>
internal sealed class CharTokenizer : Tokenizer
{
    public const string Alphabet = " abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.,!?'";
    private readonly string[] _merges;

    public CharTokenizer(bool addsBos = true, params string[] merges)
    {
        _merges = merges;
        BosTokenId = 0;
        EosTokenId = 1;
        AddsBosToken = addsBos;
    }

    public override int VocabularySize => 2 + Alphabet.Length + _merges.Length;

    public override int[] Encode(string text, bool addSpecialTokens = false, bool allowSpecialTokens = false) =>
        [.. EncodeWithOffsets(text, addSpecialTokens, allowSpecialTokens).Select(t => t.Id)];

    public override IReadOnlyList<EncodedToken> EncodeWithOffsets(string text, bool addSpecialTokens = false, bool allowSpecialTokens = false)
    {
        var tokens = new List<EncodedToken>();
        if (addSpecialTokens && AddsBosToken) tokens.Add(new EncodedToken(0, 0, 0));
        for (var i = 0; i < text.Length;)
        {
            var merged = Array.FindIndex(_merges, m => string.CompareOrdinal(text, i, m, 0, m.Length) == 0 && i + m.Length <= text.Length);
            if (merged >= 0)
            {
                tokens.Add(new EncodedToken(2 + Alphabet.Length + merged, i, _merges[merged].Length));
                i += _merges[merged].Length;
                continue;
            }
            var index = Alphabet.IndexOf(text[i]);
            if (index < 0) throw new ArgumentException($"CharTokenizer cannot encode '{text[i]}'", nameof(text));
            tokens.Add(new EncodedToken(2 + index, i, 1));
            i++;
        }
        return tokens;
    }

    public override string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var builder = new StringBuilder();
        foreach (var id in ids)
            if (!(skipSpecialTokens && IsSpecialToken(id))) builder.Append(Encoding.UTF8.GetString(TokenBytes(id)));
        return builder.ToString();
    }

    public override string TokenToPiece(int id) => id switch
    {
        0 => "<s>",
        1 => "</s>",
        _ when id - 2 < Alphabet.Length => Alphabet[id - 2].ToString(),
        _ => _merges[id - 2 - Alphabet.Length],
    };

    public override byte[] TokenBytes(int id)
    {
        if ((uint)id >= (uint)VocabularySize) throw new ArgumentOutOfRangeException(nameof(id));
        return Encoding.UTF8.GetBytes(TokenToPiece(id));
    }

    public override int? PieceToId(string piece)
    {
        for (var id = 0; id < VocabularySize; id++) if (TokenToPiece(id) == piece) return id;
        return null;
    }

    public override bool IsSpecialToken(int id) => id is 0 or 1;

    public override IncrementalDecoder CreateIncrementalDecoder(bool skipSpecialTokens = false) => new ByteStreamDecoder(this, skipSpecialTokens, stripLeadingSpace: false);

    /// <summary>The id of a character.</summary>
    public static int Id(char c) => 2 + Alphabet.IndexOf(c);
}
