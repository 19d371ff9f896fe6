namespace NextToken.Tokenizers.SentencePiece;

/// <summary>One token found by a segmenter, with the span of normalized text it covers.</summary>
/// <param name="Id">The token id.</param>
/// <param name="Start">First normalized character it covers.</param>
/// <param name="Length">How many normalized characters it covers (byte-fallback tokens of one character all cover that character).</param>
internal readonly record struct PieceSpan(int Id, int Start, int Length);
