namespace NextToken.Tokenizers;

/// <summary>One token of an encoding with the span of input characters it covers.</summary>
/// <param name="Id">The token id.</param>
/// <param name="Start">Index of the first input character (UTF-16 code unit) the token covers.</param>
/// <param name="Length">How many input characters it covers (0 for tokens the tokenizer added, such as BOS).</param>
public readonly record struct EncodedToken(int Id, int Start, int Length);

/// <summary>
/// Turns text into token ids and back, exactly as the tokenizer's original implementation does.
/// Every family (byte-level BPE, tiktoken, SentencePiece, Hugging Face <c>tokenizer.json</c>, GGUF
/// vocabularies, llama2.c <c>tokenizer.bin</c>) is a subclass; load one with <c>Tokenizer.FromFile</c>,
/// <c>Tokenizer.FromDirectory</c> or <c>Tokenizer.ForEncoding</c>.
/// </summary>
/// <example><code>
/// var tok = Tokenizer.FromDirectory("gpt2");
/// int[] ids = tok.Encode("Preposterous, I'm flabbergasted!");   // [37534, 6197, 516, …]
/// string text = tok.Decode(ids);
/// </code></example>
public abstract partial class Tokenizer
{
    /// <summary>Number of ids, special tokens included.</summary>
    public abstract int VocabularySize { get; }

    /// <summary>Beginning-of-sequence id, when the tokenizer has one.</summary>
    public int? BosTokenId { get; protected set; }

    /// <summary>End-of-sequence id, when the tokenizer has one.</summary>
    public int? EosTokenId { get; protected set; }

    /// <summary>Padding id, when the tokenizer has one.</summary>
    public int? PadTokenId { get; protected set; }

    /// <summary>Unknown-token id, when the tokenizer has one.</summary>
    public int? UnknownTokenId { get; protected set; }

    /// <summary>Whether <c>Encode(text, addSpecialTokens: true)</c> puts BOS first (Llama: yes; GPT-2: no).</summary>
    public bool AddsBosToken { get; protected set; }

    /// <summary>Whether <c>Encode(text, addSpecialTokens: true)</c> puts EOS last.</summary>
    public bool AddsEosToken { get; protected set; }

    /// <summary>
    /// Encodes text to ids. Special-token text (e.g. <c>&lt;|endoftext|&gt;</c>) is encoded as plain text
    /// unless <paramref name="allowSpecialTokens"/> is true. Never throws on any string (lone surrogates included).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecialTokens">Add the tokens the tokenizer adds around a sequence (BOS/EOS, templates).</param>
    /// <param name="allowSpecialTokens">Recognise special-token text in the input as the special token.</param>
    public abstract int[] Encode(string text, bool addSpecialTokens = false, bool allowSpecialTokens = false);

    /// <summary>Encodes text to tokens with the character span each covers.</summary>
    public abstract IReadOnlyList<EncodedToken> EncodeWithOffsets(string text, bool addSpecialTokens = false, bool allowSpecialTokens = false);

    /// <summary>Number of tokens <see cref="Encode"/> would give, without keeping them.</summary>
    public virtual int CountTokens(string text, bool addSpecialTokens = false) => Encode(text, addSpecialTokens).Length;

    /// <summary>Decodes ids to text; invalid UTF-8 becomes U+FFFD.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in the vocabulary.</exception>
    public abstract string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false);

    /// <summary>Decodes ids to text.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false) => Decode(ids.ToArray().AsSpan(), skipSpecialTokens);

    /// <summary>The token's display form as the original library shows it (<c>convert_ids_to_tokens</c>): <c>Ġthe</c>, <c>▁the</c>, <c>&lt;0x0A&gt;</c>.</summary>
    public abstract string TokenToPiece(int id);

    /// <summary>The bytes the token contributes to decoded text (special tokens: their text).</summary>
    public abstract byte[] TokenBytes(int id);

    /// <summary>The id of a piece in its display form, or null.</summary>
    public abstract int? PieceToId(string piece);

    /// <summary>True for control/special tokens (BOS, EOS, <c>&lt;|endoftext|&gt;</c>…).</summary>
    public abstract bool IsSpecialToken(int id);

    /// <summary>A decoder for streaming: feed ids one at a time, get text only once it forms complete UTF-8.</summary>
    public abstract IncrementalDecoder CreateIncrementalDecoder(bool skipSpecialTokens = false);
}

/// <summary>
/// Streaming decoder: <see cref="Append"/> returns the text that became complete with this token (possibly
/// empty when the token holds half of a multi-byte character). Concatenating every return value and
/// <see cref="Flush"/> gives exactly <c>Decode(allIds)</c>.
/// </summary>
public abstract class IncrementalDecoder
{
    /// <summary>Adds one token; returns the newly completed text.</summary>
    public abstract string Append(int id);

    /// <summary>Returns whatever is pending (incomplete bytes become U+FFFD) and resets.</summary>
    public abstract string Flush();
}
