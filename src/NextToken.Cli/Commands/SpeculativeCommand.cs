using System.CommandLine;
using NextToken.Generation;

namespace NextToken.Cli.Commands;

/// <summary><c>nexttoken speculative --model TARGET --draft DRAFT "prompt"</c>: speculative decoding with an acceptance report.</summary>
internal static class SpeculativeCommand
{
    public static Command Create(CliContext context)
    {
        var prompt = new Argument<string>("prompt") { Description = "The text to continue." };
        var model = CommonOptions.Model();
        model.Description = "The target model (whose output is reproduced). Default: the embedded model.";
        var draft = new Option<string>("--draft") { Description = "The draft model that proposes tokens; it must share the target's tokenizer. Default: the embedded model.", HelpName = "PATH" };
        var draftTokens = new Option<int>("--draft-tokens") { Description = "Tokens the draft proposes per round.", DefaultValueFactory = _ => 4, HelpName = "N" };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var decoding = new GenerationOptionSet();
        var command = new Command("speculative", "Speculative decoding: a draft model proposes, the target verifies; output follows the target exactly (greedy) or in distribution (sampling).")
            { prompt, model, draft, draftTokens, threads, json };
        decoding.AddTo(command);
        CommandLineApp.SetAction(command, context, async (parse, cancellation) =>
        {
            var text = parse.GetValue(prompt) ?? "";
            if (text.Length == 0) throw new ArgumentException("the prompt is empty: give some text to continue", "prompt");
            using var target = ModelLoading.Load(context, parse.GetValue(model), parse.GetValue(threads));
            using var drafter = ModelLoading.Load(context, parse.GetValue(draft), parse.GetValue(threads));
            var options = decoding.Read(parse, target.Tokenizer);
            var decoder = new SpeculativeDecoder(target, drafter, parse.GetValue(draftTokens));
            var result = decoder.Generate(text, options, cancellation);
            if (parse.GetValue(json))
            {
                context.WriteJson(GenerationOutput.Json(text, result));
                return 0;
            }
            context.Output.WriteLine(text + result.Text);
            if (result.Speculation is { } s)
                context.Output.WriteLine($"acceptance rate {s.AcceptanceRate:P1}: {s.AcceptedTokens} of {s.DraftedTokens} drafted tokens accepted in {s.Rounds} rounds");
            await Task.CompletedTask;
            return 0;
        });
        return command;
    }
}
