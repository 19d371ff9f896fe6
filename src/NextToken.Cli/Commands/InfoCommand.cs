using System.CommandLine;
using Spectre.Console;

namespace NextToken.Cli.Commands;

/// <summary><c>nexttoken info --model PATH</c>: architecture, sizes, tensor types, tokenizer, context length.</summary>
internal static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var json = CommonOptions.Json();
        var command = new Command("info", "Describe a model: architecture, sizes, tensor types, tokenizer and context length.") { model, json };
        CommandLineApp.SetAction(command, context, parse =>
        {
            using var loaded = ModelLoading.Load(context, parse.GetValue(model));
            var info = loaded.Info;
            var tokenizer = loaded.Tokenizer;
            var types = string.Join(", ", info.TensorTypes.OrderByDescending(t => t.Value).Select(t => $"{t.Key} ×{t.Value}"));
            if (parse.GetValue(json))
            {
                context.WriteJson(new
                {
                    info.Architecture,
                    info.Name,
                    info.Path,
                    info.Format,
                    info.ParameterCount,
                    info.VocabularySize,
                    info.ContextLength,
                    info.EmbeddingLength,
                    info.LayerCount,
                    info.HeadCount,
                    info.KvHeadCount,
                    info.FeedForwardLength,
                    TensorTypes = info.TensorTypes.ToDictionary(t => t.Key.ToString(), t => t.Value),
                    Tokenizer = new
                    {
                        Type = tokenizer.GetType().Name,
                        tokenizer.VocabularySize,
                        tokenizer.BosTokenId,
                        tokenizer.EosTokenId,
                        tokenizer.AddsBosToken,
                    },
                });
                return 0;
            }
            var table = new Table().HideHeaders().Border(TableBorder.None).AddColumn("").AddColumn("");
            void Row(string name, object? value) => table.AddRow(Markup.Escape(name), Markup.Escape(value?.ToString() ?? "-"));
            Row("architecture", info.Architecture);
            if (info.Name is not null) Row("name", info.Name);
            Row("file", $"{info.Path} ({info.Format})");
            Row("parameters", FormatCount(info.ParameterCount));
            Row("context length", info.ContextLength);
            Row("embedding length", info.EmbeddingLength);
            Row("layers", info.LayerCount);
            Row("attention heads", $"{info.HeadCount} ({info.KvHeadCount} KV)");
            Row("feed-forward length", info.FeedForwardLength);
            Row("vocabulary", info.VocabularySize);
            Row("tensor types", types);
            Row("tokenizer", $"{tokenizer.GetType().Name}, {tokenizer.VocabularySize} tokens, BOS {tokenizer.BosTokenId?.ToString() ?? "-"}, EOS {tokenizer.EosTokenId?.ToString() ?? "-"}");
            context.Ansi.Write(table);
            return 0;
        });
        return command;
    }

    internal static string FormatCount(long n) => n switch
    {
        >= 1_000_000_000 => $"{n / 1e9:0.##}B",
        >= 1_000_000 => $"{n / 1e6:0.##}M",
        >= 1_000 => $"{n / 1e3:0.##}K",
        _ => n.ToString(),
    };
}
