using NextToken.Tokenizers;

namespace NextToken.Generation;

/// <summary>
/// Turns generated ids into final text: decodes them incrementally (primed with the prompt so that a leading space of
/// the first generated token is kept) and watches for stop strings across token boundaries. Text that could be the
/// beginning of a stop string is held back until it is known not to be; when a stop string appears, the text before it
/// is released and the rest is dropped, as OpenAI's <c>stop</c> does.
/// </summary>
internal sealed class StopStringMatcher
{
    private readonly IncrementalDecoder _decoder;
    private readonly string[] _stopStrings;
    private string _held = string.Empty;

    public StopStringMatcher(Tokenizer tokenizer, IReadOnlyList<int> promptIds, IReadOnlyList<string>? stopStrings, bool skipSpecialTokens)
    {
        _decoder = tokenizer.CreateIncrementalDecoder(skipSpecialTokens);
        foreach (var id in promptIds) _decoder.Append(id);
        _stopStrings = stopStrings is null ? [] : [.. stopStrings];
    }

    /// <summary>True once a stop string has been seen.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds a generated token; returns the text released by it.</summary>
    public string Append(int id) => Release(_decoder.Append(id), final: false);

    /// <summary>Ends the text: releases everything held (incomplete bytes become U+FFFD), unless a stop string ends it.</summary>
    public string Finish() => Stopped ? string.Empty : Release(_decoder.Flush(), final: true);

    private string Release(string piece, bool final)
    {
        if (Stopped) return string.Empty;
        _held += piece;
        var stopAt = -1;
        foreach (var stop in _stopStrings)
        {
            var at = _held.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt)) stopAt = at;
        }
        if (stopAt >= 0)
        {
            Stopped = true;
            var before = _held[..stopAt];
            _held = string.Empty;
            return before;
        }
        var keep = final ? 0 : LongestStopPrefixSuffix(_held);
        var released = _held[..^keep];
        _held = _held[^keep..];
        return released;
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of some stop string.</summary>
    private int LongestStopPrefixSuffix(string text)
    {
        var best = 0;
        foreach (var stop in _stopStrings)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > best; length--)
            {
                if (string.CompareOrdinal(text, text.Length - length, stop, 0, length) == 0)
                {
                    best = length;
                    break;
                }
            }
        }
        return best;
    }
}
