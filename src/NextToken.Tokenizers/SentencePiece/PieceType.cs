namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// What a SentencePiece vocabulary entry is. The numbers are the ones SentencePiece's <c>ModelProto</c> and GGUF's
/// <c>tokenizer.ggml.token_type</c> both use.
/// </summary>
public enum PieceType
{
    /// <summary>An ordinary piece of text, found by segmentation.</summary>
    Normal = 1,

    /// <summary>The unknown token (<c>&lt;unk&gt;</c>).</summary>
    Unknown = 2,

    /// <summary>A control token such as <c>&lt;s&gt;</c> or <c>&lt;/s&gt;</c>: never produced from plain text.</summary>
    Control = 3,

    /// <summary>A piece the model's author added; always matched whole in the text.</summary>
    UserDefined = 4,

    /// <summary>A piece kept in the vocabulary but never emitted (SentencePiece splits it back into its parts).</summary>
    Unused = 5,

    /// <summary>A byte-fallback token <c>&lt;0xXX&gt;</c> for one raw byte of UTF-8.</summary>
    Byte = 6,
}
