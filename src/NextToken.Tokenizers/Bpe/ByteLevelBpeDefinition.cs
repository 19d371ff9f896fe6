using NextToken.Tokenizers.PreTokenization;

namespace NextToken.Tokenizers.Bpe;

/// <summary>Everything a <see cref="ByteLevelBpeTokenizer"/> is built from; the loaders fill it in.</summary>
internal sealed class ByteLevelBpeDefinition
{
    public required string Name { get; init; }

    /// <summary>Bytes of each id (special tokens: their UTF-8 text; null: an unused id).</summary>
    public required byte[]?[] TokenBytes { get; init; }

    /// <summary>The display form of each id when the file gives one (vocab.json keys); null to derive it.</summary>
    public string?[]? DisplayPieces { get; init; }

    public required MergeTable Merges { get; init; }

    /// <summary>The id of each single byte.</summary>
    public required int[] ByteToId { get; init; }

    public required TextSplitter Splitter { get; init; }

    /// <summary>tiktoken and <c>ignore_merges</c>: a piece that is itself a token is that token, merges or not.</summary>
    public bool WholePieceFirst { get; init; }

    /// <summary>With <see cref="WholePieceFirst"/>: the id-from-bytes table when the loader already built one.</summary>
    public ByteSequenceTable? WholePieceTable { get; init; }

    /// <summary>Special tokens, recognised in input only when the caller allows it.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; init; } = new Dictionary<string, int>();

    /// <summary>Added tokens that are not special: always recognised in input.</summary>
    public IReadOnlyDictionary<string, int> AlwaysMatchedTokens { get; init; } = new Dictionary<string, int>();

    public int[] PrefixIds { get; init; } = [];
    public int[] SuffixIds { get; init; } = [];
    public int? BosTokenId { get; init; }
    public int? EosTokenId { get; init; }
    public int? PadTokenId { get; init; }
    public int? UnknownTokenId { get; init; }
}
