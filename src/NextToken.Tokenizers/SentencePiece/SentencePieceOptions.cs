namespace NextToken.Tokenizers.SentencePiece;

/// <summary>How a SentencePiece model segments normalized text.</summary>
internal enum SegmentationAlgorithm
{
    /// <summary>Viterbi search for the segmentation with the best total piece score.</summary>
    Unigram = 1,

    /// <summary>Repeatedly merge the adjacent pair whose merged piece has the best score.</summary>
    Bpe = 2,
}

/// <summary>Which vocabulary entries a BPE merge may produce.</summary>
internal enum MergeRule
{
    /// <summary>Google's SentencePiece: normal, user-defined and unused pieces; unused ones are split back afterwards.</summary>
    SentencePiece,

    /// <summary>llama.cpp and llama2.c: any vocabulary entry, whatever its type.</summary>
    AnyPiece,
}

/// <summary>Everything a loader reads from a file, in one place, before the tokenizer is built.</summary>
internal sealed record SentencePieceOptions
{
    /// <summary>The file the model came from (for error messages).</summary>
    public required string SourcePath { get; init; }

    public required string[] Pieces { get; init; }
    public required float[] Scores { get; init; }
    public required PieceType[] Types { get; init; }

    public SegmentationAlgorithm Algorithm { get; init; } = SegmentationAlgorithm.Bpe;
    public MergeRule MergeRule { get; init; } = MergeRule.SentencePiece;

    /// <summary>Characters that are not in the vocabulary become <c>&lt;0xXX&gt;</c> byte tokens instead of unknown.</summary>
    public bool ByteFallback { get; init; }

    public int? UnknownId { get; init; }
    public int? BosId { get; init; }
    public int? EosId { get; init; }
    public int? PadId { get; init; }
    public bool AddBos { get; init; }
    public bool AddEos { get; init; }

    /// <summary>Put a ▁ before the text (after it when <see cref="TreatWhitespaceAsSuffix"/>), so the first word looks like every other.</summary>
    public bool AddDummyPrefix { get; init; } = true;

    /// <summary>Drop leading and trailing spaces and collapse runs of spaces to one.</summary>
    public bool RemoveExtraWhitespaces { get; init; }

    /// <summary>Write spaces as ▁ (U+2581) before segmentation.</summary>
    public bool EscapeWhitespaces { get; init; } = true;

    /// <summary>Words carry their ▁ at the end instead of the start.</summary>
    public bool TreatWhitespaceAsSuffix { get; init; }

    /// <summary>The normalization rules (nmt_nfkc and friends), or null for the identity normalizer.</summary>
    public PrecompiledCharsMap? CharsMap { get; init; }
}
