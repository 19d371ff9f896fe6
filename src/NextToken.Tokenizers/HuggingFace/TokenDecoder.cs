using System.Text;
using System.Text.Json;
using NextToken.Tokenizers.Bpe;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>
/// A <c>tokenizer.json</c> decoder chain (ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace, WordPiece, Sequence).
/// Chains made only of byte-preserving steps (all but WordPiece) are run per token, giving each token's bytes, so
/// that <see cref="Tokenizer.Decode(ReadOnlySpan{int}, bool)"/> and streaming decoding agree exactly.
/// </summary>
internal sealed class TokenDecoder
{
    private readonly List<Step> _steps;

    private abstract record Step;
    private sealed record ByteLevelStep : Step;
    private sealed record ReplaceStep(string Pattern, string Content) : Step;
    private sealed record ByteFallbackStep : Step;
    private sealed record FuseStep : Step;
    private sealed record StripStep(string Content, int Start, int Stop) : Step;
    private sealed record MetaspaceStep(string Replacement, bool StripFirst) : Step;
    private sealed record WordPieceStep(string Prefix, bool Cleanup) : Step;

    private TokenDecoder(List<Step> steps) => _steps = steps;

    /// <summary>True when decoding is "concatenate each token's bytes" (plus at most one leading space removed).</summary>
    public bool IsByteWise => _steps.All(s => s is not WordPieceStep && s is not StripStep { Stop: > 0 });

    /// <summary>Whether the chain removes one leading space from the decoded text (SentencePiece's dummy prefix).</summary>
    public bool StripsLeadingSpace => _steps.Any(s => s is StripStep { Content: " ", Start: > 0 } or MetaspaceStep { StripFirst: true });

    public static TokenDecoder Read(JsonElement? element, JsonFields f)
    {
        var steps = new List<Step>();
        if (element is { } e) Add(e, f, steps);
        return new TokenDecoder(steps);
    }

    private static void Add(JsonElement e, JsonFields f, List<Step> steps)
    {
        var type = f.Type(e, "decoder");
        switch (type)
        {
            case "Sequence":
                foreach (var d in f.Array(e, "decoders", type).EnumerateArray()) Add(d, f, steps);
                break;
            case "ByteLevel": steps.Add(new ByteLevelStep()); break;
            case "ByteFallback": steps.Add(new ByteFallbackStep()); break;
            case "Fuse": steps.Add(new FuseStep()); break;
            case "Strip":
                steps.Add(new StripStep(f.String(e, "content", type) ?? " ", f.Int(e, "start", 0, type), f.Int(e, "stop", 0, type)));
                break;
            case "Replace":
                var (pattern, literal) = f.Pattern(e, type);
                if (!literal) throw f.Error("decoder Replace with a regex pattern is not supported");
                steps.Add(new ReplaceStep(pattern, f.String(e, "content", type) ?? ""));
                break;
            case "Metaspace":
                var scheme = f.String(e, "prepend_scheme", type) ?? (f.Bool(e, "add_prefix_space", true, type) ? "always" : "never");
                steps.Add(new MetaspaceStep(f.String(e, "replacement", type) ?? "▁", scheme != "never"));
                break;
            case "WordPiece":
                steps.Add(new WordPieceStep(f.String(e, "prefix", type) ?? "##", f.Bool(e, "cleanup", true, type)));
                break;
            default:
                throw f.Error($"decoder type '{type}' is not supported");
        }
    }

    /// <summary>The bytes one token contributes when <see cref="IsByteWise"/>.</summary>
    public byte[] TokenBytes(string piece)
    {
        var text = piece;
        foreach (var step in _steps)
        {
            switch (step)
            {
                case ReplaceStep r: text = text.Replace(r.Pattern, r.Content, StringComparison.Ordinal); break;
                case MetaspaceStep m: text = text.Replace(m.Replacement, " ", StringComparison.Ordinal); break;
                case ByteFallbackStep when text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal) && text[5] == '>'
                    && byte.TryParse(text.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var b):
                    return [b];
                case ByteLevelStep when ByteLevelAlphabet.Decode(text) is { } bytes:
                    return bytes;
            }
        }
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>Decodes token texts through the whole chain (used when the chain is not byte-wise).</summary>
    public string DecodeStrings(List<string> tokens)
    {
        var list = tokens;
        foreach (var step in _steps)
        {
            switch (step)
            {
                case WordPieceStep w:
                    list = list.Select((t, i) => t.StartsWith(w.Prefix, StringComparison.Ordinal) ? t[w.Prefix.Length..] : i == 0 ? t : " " + t).ToList();
                    if (w.Cleanup) list = list.Select(Cleanup).ToList();
                    break;
                case FuseStep: list = [string.Concat(list)]; break;
                case StripStep s:
                    list = list.Select(t =>
                    {
                        var start = 0; var end = t.Length;
                        for (var k = 0; k < s.Start && start < end && t.AsSpan(start).StartsWith(s.Content); k++) start += s.Content.Length;
                        for (var k = 0; k < s.Stop && end > start && t.AsSpan(start, end - start).EndsWith(s.Content); k++) end -= s.Content.Length;
                        return t[start..end];
                    }).ToList();
                    break;
                default:
                    list = list.Select(t => Encoding.UTF8.GetString(new TokenDecoder([step]).TokenBytes(t))).ToList();
                    break;
            }
        }
        return string.Concat(list);
    }

    private static string Cleanup(string s) => s.Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",")
        .Replace(" ' ", "'").Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" do not", " don't").Replace(" 's", "'s")
        .Replace(" 've", "'ve").Replace(" 're", "'re");
}
