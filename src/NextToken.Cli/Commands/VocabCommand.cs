using System.CommandLine;
using System.Text;

namespace NextToken.Cli.Commands;

/// <summary><c>nexttoken vocab --range 5100..5110</c>: browse the vocabulary.</summary>
internal static class VocabCommand
{
    public static Command Create(CliContext context)
    {
        var tokenizerOption = new Option<string>("--tokenizer")
        {
            Description = "A tokenizer file, folder, encoding name or OpenAI model name (see `tokenize --help`). Default: the model's.",
            HelpName = "PATH|NAME",
        };
        var model = CommonOptions.Model();
        var range = new Option<string>("--range")
        {
            Description = "Ids to show, START..END with END excluded as in C# ranges (default 0..20). Either side may be omitted.",
            HelpName = "START..END",
        };
        var find = new Option<string>("--find") { Description = "Only tokens whose decoded text contains this string.", HelpName = "TEXT" };
        var json = CommonOptions.Json();
        var command = new Command("vocab", "Browse a tokenizer's vocabulary: ids with their pieces and decoded text.") { tokenizerOption, model, range, find, json };
        CommandLineApp.SetAction(command, context, parse =>
        {
            var tokenizer = TokenizerResolver.Resolve(parse.GetValue(tokenizerOption), parse.GetValue(model));
            var size = tokenizer.VocabularySize;
            var (start, end) = ParseRange(parse.GetValue(range), size, parse.GetValue(find) is null ? 20 : size);
            var needle = parse.GetValue(find);
            var rows = new List<(int Id, string Piece, string Text, bool Special)>();
            // Some vocabularies leave ids unused (o200k_base has gaps before its special tokens): those are skipped.
            foreach (var (id, piece) in tokenizer.EnumerateVocabulary())
            {
                if (id < start) continue;
                if (id >= end) break;
                var decoded = Encoding.UTF8.GetString(tokenizer.TokenBytes(id));
                if (needle is not null && !decoded.Contains(needle, StringComparison.Ordinal)) continue;
                rows.Add((id, piece, decoded, tokenizer.IsSpecialToken(id)));
            }
            if (parse.GetValue(json))
            {
                context.WriteJson(new
                {
                    VocabularySize = size,
                    tokenizer.BosTokenId,
                    tokenizer.EosTokenId,
                    Tokens = rows.Select(r => new { r.Id, r.Piece, r.Text, r.Special }),
                });
                return 0;
            }
            context.Output.WriteLine($"vocabulary size {size}" +
                (tokenizer.BosTokenId is { } bos ? $", BOS {bos}" : "") + (tokenizer.EosTokenId is { } eos ? $", EOS {eos}" : ""));
            foreach (var r in rows)
                context.Output.WriteLine($"{r.Id,8}  {r.Piece,-24} {Quote(r.Text)}{(r.Special ? "  (special)" : "")}");
            return 0;
        });
        return command;
    }

    internal static (int Start, int End) ParseRange(string? text, int size, int defaultCount)
    {
        if (string.IsNullOrWhiteSpace(text)) return (0, Math.Min(defaultCount, size));
        var parts = text.Split("..");
        if (parts.Length != 2)
            throw new ArgumentException($"--range '{text}' should look like START..END (e.g. 5100..5110)", "range");
        var start = parts[0].Length == 0 ? 0 : ParseBound(parts[0], text);
        var end = parts[1].Length == 0 ? size : ParseBound(parts[1], text);
        if (start > end) throw new ArgumentException($"--range '{text}' starts after it ends", "range");
        if (end > size) throw new ArgumentException($"--range '{text}' goes past the vocabulary size {size}", "range");
        return (start, end);
    }

    private static int ParseBound(string bound, string text) =>
        int.TryParse(bound, out var value) && value >= 0
            ? value
            : throw new ArgumentException($"--range '{text}': '{bound}' is not a token id", "range");

    private static string Quote(string s)
    {
        var b = new StringBuilder("\"");
        foreach (var c in s)
        {
            b.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return b.Append('"').ToString();
    }
}
