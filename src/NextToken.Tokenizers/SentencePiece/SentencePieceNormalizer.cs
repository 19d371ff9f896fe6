namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// SentencePiece's normalizer: optional character rules (a <see cref="PrecompiledCharsMap"/>, e.g. nmt_nfkc),
/// removal of extra spaces, the dummy-prefix ▁, and spaces written as ▁. Input is a .NET string, so lone
/// surrogates become U+FFFD here, as .NET's UTF-8 encoder would make them.
/// </summary>
internal sealed class SentencePieceNormalizer
{
    private readonly SentencePieceOptions _options;
    private readonly char _space;

    public SentencePieceNormalizer(SentencePieceOptions options)
    {
        _options = options;
        _space = options.EscapeWhitespaces ? '▁' : ' ';
    }

    /// <summary>The character spaces become: ▁, or a plain space when escaping is off.</summary>
    public char Space => _space;

    /// <summary>
    /// Appends the normalized form of <paramref name="input"/> (which starts at <paramref name="inputOffset"/> in the
    /// caller's text) to <paramref name="output"/>. Empty input, or input of spaces only when extra spaces are
    /// removed, gives nothing at all (no dummy prefix).
    /// </summary>
    public void Normalize(ReadOnlySpan<char> input, int inputOffset, bool addDummyPrefix, NormalizedText output)
    {
        output.InputEnd = inputOffset + input.Length;
        if (_options.CharsMap is { } map)
        {
            map.Normalize(input, inputOffset, addDummyPrefix, _options, output);
            return;
        }
        var removeExtra = _options.RemoveExtraWhitespaces;
        var i = 0;
        if (removeExtra)
        {
            while (i < input.Length && input[i] == ' ') i++;
        }
        if (i == input.Length) return;
        var prefix = addDummyPrefix && _options.AddDummyPrefix;
        var suffixMode = _options.TreatWhitespaceAsSuffix;
        if (prefix && !suffixMode) output.Append(_space, inputOffset + i);

        if (!removeExtra && !output.TrackOrigins && input.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            // The common case (Llama): one character in, one out; spaces become ▁.
            var destination = output.AppendSpan(input.Length, out _);
            input.Replace(destination, ' ', _space);
        }
        else
        {
            var start = output.Length;
            var previousSpace = removeExtra;
            for (; i < input.Length; i++)
            {
                var c = input[i];
                if (c == ' ')
                {
                    if (removeExtra && previousSpace) continue;
                    output.Append(_space, inputOffset + i);
                    previousSpace = removeExtra;
                    continue;
                }
                previousSpace = false;
                if (char.IsHighSurrogate(c) && i + 1 < input.Length && char.IsLowSurrogate(input[i + 1]))
                {
                    output.Append(c, inputOffset + i);
                    output.Append(input[++i], inputOffset + i - 1);
                }
                else
                {
                    output.Append(char.IsSurrogate(c) ? '\uFFFD' : c, inputOffset + i);
                }
            }
            if (removeExtra)
            {
                while (output.Length > start && output.Last == _space) output.RemoveLast();
            }
        }
        if (prefix && suffixMode) output.Append(_space, inputOffset + input.Length);
    }
}
