using System.Text;

namespace NextToken.Tokenizers;

/// <summary>
/// The incremental decoder every tokenizer family can use: it collects each token's <see cref="Tokenizer.TokenBytes"/>
/// and releases text only up to the last complete UTF-8 character, so a token holding half of a multi-byte
/// character yields nothing until the next token completes it.
/// </summary>
public sealed class ByteStreamDecoder : IncrementalDecoder
{
    private readonly Tokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    private readonly bool _stripLeadingSpace;
    private readonly List<byte> _pending = [];
    private bool _atStart = true;

    /// <param name="tokenizer">Supplies the bytes of each token.</param>
    /// <param name="skipSpecialTokens">Drop special tokens, as <c>Decode(ids, skipSpecialTokens: true)</c> does.</param>
    /// <param name="stripLeadingSpace">Remove one space at the very start of the text (SentencePiece's dummy prefix).</param>
    public ByteStreamDecoder(Tokenizer tokenizer, bool skipSpecialTokens, bool stripLeadingSpace)
    {
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
        _stripLeadingSpace = stripLeadingSpace;
    }

    public override string Append(int id)
    {
        if (_skipSpecialTokens && _tokenizer.IsSpecialToken(id)) return string.Empty;
        _pending.AddRange(_tokenizer.TokenBytes(id));
        var complete = CompletePrefixLength(_pending);
        if (complete == 0) return string.Empty;
        var text = Take(complete);
        return text;
    }

    public override string Flush()
    {
        var text = _pending.Count == 0 ? string.Empty : Take(_pending.Count);
        _atStart = true;
        return text;
    }

    private string Take(int count)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending)[..count];
        if (_atStart && _stripLeadingSpace && span.Length > 0 && span[0] == (byte)' ')
            span = span[1..];
        var text = Encoding.UTF8.GetString(span);
        _pending.RemoveRange(0, count);
        _atStart = false;
        return text;
    }

    /// <summary>Length of the longest prefix that does not end inside a UTF-8 sequence that could still be completed.</summary>
    internal static int CompletePrefixLength(IReadOnlyList<byte> bytes)
    {
        var n = bytes.Count;
        // Look back at most 3 bytes for the lead byte of an unfinished sequence.
        for (var back = 1; back <= Math.Min(3, n); back++)
        {
            var b = bytes[n - back];
            if ((b & 0xC0) == 0x80) continue; // continuation byte: keep looking for its lead
            var needed = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 1;
            return needed > back ? n - back : n;
        }
        return n;
    }
}
