using System.CommandLine;
using NextToken.Generation;

namespace NextToken.Cli.Commands;

/// <summary><c>nexttoken generate "Once upon a time"</c>: continue a prompt, streaming to the terminal.</summary>
internal static class GenerateCommand
{
    public static Command Create(CliContext context)
    {
        var prompt = new Argument<string>("prompt") { Description = "The text to continue." };
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var decoding = new GenerationOptionSet();
        var command = new Command("generate", "Continue a prompt: greedy by default; sampling, beam search or contrastive search by option.") { prompt, model, threads, json };
        decoding.AddTo(command);
        CommandLineApp.SetAction(command, context, async (parse, cancellation) =>
        {
            var text = parse.GetValue(prompt) ?? "";
            if (text.Length == 0) throw new ArgumentException("the prompt is empty: give some text to continue", "prompt");
            using var loaded = ModelLoading.Load(context, parse.GetValue(model), parse.GetValue(threads));
            var options = decoding.Read(parse, loaded.Tokenizer);
            var generator = new Generator(loaded);
            if (parse.GetValue(json))
            {
                context.WriteJson(GenerationOutput.Json(text, generator.Generate(text, options, cancellation)));
                return 0;
            }
            if (options.NumReturnSequences > 1)
            {
                var result = generator.Generate(text, options, cancellation);
                for (var i = 0; i < result.Sequences.Count; i++)
                    context.Output.WriteLine($"[{i + 1}] score {result.Sequences[i].Score:0.000}\n{text}{result.Sequences[i].Text}\n");
                return 0;
            }
            await GenerationOutput.StreamAsync(context, text, generator.StreamAsync(text, options, cancellation));
            return 0;
        });
        return command;
    }
}
