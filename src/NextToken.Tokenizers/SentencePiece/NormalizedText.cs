namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// A growable buffer of normalized characters and, when offsets are wanted, the index in the input text each
/// one came from (characters the normalizer inserted point at the input position where they were inserted).
/// </summary>
internal sealed class NormalizedText
{
    private char[] _chars = new char[256];
    private int[] _origins = new int[256];

    public int Length { get; private set; }

    /// <summary>Whether <see cref="Origin"/> is being recorded.</summary>
    public bool TrackOrigins { get; private set; }

    public ReadOnlySpan<char> Chars => _chars.AsSpan(0, Length);

    /// <summary>Input index of normalized character <paramref name="index"/>; <see cref="Length"/> maps to the input end.</summary>
    public int Origin(int index) => index < Length ? _origins[index] : InputEnd;

    /// <summary>Input index just past the normalized text (where offsets of the last token end).</summary>
    public int InputEnd { get; set; }

    public void Reset(int capacity, bool trackOrigins)
    {
        Length = 0;
        TrackOrigins = trackOrigins;
        if (_chars.Length < capacity) _chars = new char[Math.Max(capacity, _chars.Length * 2)];
        if (trackOrigins && _origins.Length < capacity) _origins = new int[Math.Max(capacity, _origins.Length * 2)];
    }

    public void Append(char c, int origin)
    {
        if (Length == _chars.Length) Grow();
        _chars[Length] = c;
        if (TrackOrigins) _origins[Length] = origin;
        Length++;
    }

    /// <summary>The last character, or '\0' when empty.</summary>
    public char Last => Length == 0 ? '\0' : _chars[Length - 1];

    public void RemoveLast() => Length--;

    /// <summary>Direct access for the hot path: room for <paramref name="count"/> more characters.</summary>
    public Span<char> AppendSpan(int count, out Span<int> origins)
    {
        while (Length + count > _chars.Length) Grow();
        var span = _chars.AsSpan(Length, count);
        origins = TrackOrigins ? _origins.AsSpan(Length, count) : default;
        Length += count;
        return span;
    }

    private void Grow()
    {
        Array.Resize(ref _chars, _chars.Length * 2);
        if (TrackOrigins) Array.Resize(ref _origins, _chars.Length);
    }
}
