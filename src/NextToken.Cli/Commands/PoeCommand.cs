using System.CommandLine;
using NextToken.Generation;
using NextToken.Models;

namespace NextToken.Cli.Commands;

/// <summary><c>nexttoken poe --prompt "I am a cat." --prompt "I am a dog."</c>: product-of-experts decoding.</summary>
internal static class PoeCommand
{
    public static Command Create(CliContext context)
    {
        var prompts = new Option<string[]>("--prompt") { Description = "An expert's prompt (repeat for each expert).", HelpName = "TEXT", Required = true, AllowMultipleArgumentsPerToken = false };
        var weights = new Option<float[]>("--weight") { Description = "An expert's weight, in the order of the prompts (default 1 each).", HelpName = "W", AllowMultipleArgumentsPerToken = false };
        var models = new Option<string[]>("--model", "-m")
        {
            Description = "The model: one for every expert, or one per --prompt in the same order (they must share a tokenizer). Default: the embedded model.",
            HelpName = "PATH",
            AllowMultipleArgumentsPerToken = false,
        };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var decoding = new GenerationOptionSet();
        var command = new Command("poe", "Product-of-experts decoding: the next token is drawn from softmax(Σ wᵢ · log pᵢ), each expert with its own prompt (and model).")
            { prompts, weights, models, threads, json };
        decoding.AddTo(command);
        CommandLineApp.SetAction(command, context, async (parse, cancellation) =>
        {
            var texts = parse.GetValue(prompts) ?? [];
            if (texts.Length == 0) throw new ArgumentException("give at least one --prompt", "prompt");
            var given = parse.GetValue(weights) ?? [];
            if (given.Length != 0 && given.Length != texts.Length)
                throw new ArgumentException($"--weight was given {given.Length} times for {texts.Length} prompts: give one per prompt or none", "weight");
            var paths = parse.GetValue(models) ?? [];
            if (paths.Length > 1 && paths.Length != texts.Length)
                throw new ArgumentException($"--model was given {paths.Length} times for {texts.Length} prompts: give one model, or one per prompt", "model");
            var loaded = new Dictionary<string, LanguageModel>();
            try
            {
                var experts = new List<Expert>();
                for (var i = 0; i < texts.Length; i++)
                {
                    var path = CommonOptions.ResolveModelPath(paths.Length == 0 ? null : paths[Math.Min(i, paths.Length - 1)]);
                    if (!loaded.TryGetValue(path, out var m)) loaded[path] = m = ModelLoading.Load(context, path, parse.GetValue(threads));
                    experts.Add(new Expert(m, texts[i], given.Length == 0 ? 1f : given[i]));
                }
                var options = decoding.Read(parse, experts[0].Model.Tokenizer);
                var poe = new ProductOfExperts(experts);
                if (parse.GetValue(json))
                {
                    var result = poe.Generate(options, cancellation);
                    context.WriteJson(new { Experts = experts.Select(e => new { e.Prompt, e.Weight, Model = e.Model.Info.Path }), Result = GenerationOutput.Json("", result) });
                    return 0;
                }
                await GenerationOutput.StreamAsync(context, "", poe.StreamAsync(options, cancellation), echoPrompt: false);
                return 0;
            }
            finally
            {
                foreach (var m in loaded.Values) m.Dispose();
            }
        });
        return command;
    }
}
