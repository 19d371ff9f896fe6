using System.CommandLine;
using System.Diagnostics;
using NextToken.Conversion;
using NextToken.Numerics;

namespace NextToken.Cli.Commands;

/// <summary>
/// <c>nexttoken create-random</c>: writes a Llama or GPT-2 model of any size with random weights as a GGUF file that
/// NextToken and llama.cpp load, for benchmarks and experiments.
/// </summary>
internal static class CreateRandomCommand
{
    /// <summary>Library property names → the options that set them, so argument errors name the option.</summary>
    private static readonly Dictionary<string, string> OptionNames = new()
    {
        [nameof(RandomModelOptions.Architecture)] = "--arch",
        [nameof(RandomModelOptions.EmbeddingLength)] = "--dim",
        [nameof(RandomModelOptions.LayerCount)] = "--layers",
        [nameof(RandomModelOptions.HeadCount)] = "--heads",
        [nameof(RandomModelOptions.KvHeadCount)] = "--kv-heads",
        [nameof(RandomModelOptions.FeedForwardLength)] = "--ffn",
        [nameof(RandomModelOptions.VocabularySize)] = "--vocab",
        [nameof(RandomModelOptions.ContextLength)] = "--context",
        [nameof(RandomModelOptions.Type)] = "--type",
        [nameof(RandomModelOptions.OutputType)] = "--output-type",
        [nameof(RandomModelOptions.TokenizerPath)] = "--tokenizer",
    };

    public static Command Create(CliContext context)
    {
        var arch = new Option<string>("--arch") { Description = "Architecture: llama or gpt2.", DefaultValueFactory = _ => "llama", HelpName = "NAME" };
        var dim = new Option<int>("--dim") { Description = "Embedding length (hidden size).", Required = true, HelpName = "N" };
        var layers = new Option<int>("--layers") { Description = "Transformer blocks.", Required = true, HelpName = "N" };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", Required = true, HelpName = "N" };
        var kvHeads = new Option<int?>("--kv-heads") { Description = "Key/value heads (default: --heads).", HelpName = "N" };
        var ffn = new Option<int?>("--ffn") { Description = "Feed-forward width (required for llama; default 4 × --dim for gpt2).", HelpName = "N" };
        var vocab = new Option<int?>("--vocab") { Description = "Vocabulary size (default: the tokenizer's size, else 32000).", HelpName = "N" };
        var contextLength = new Option<int>("--context") { Description = "Context length.", DefaultValueFactory = _ => 2048, HelpName = "N" };
        var type = new Option<string>("--type") { Description = $"Matrix type: {string.Join(", ", QuantizationTypes.Names)}.", DefaultValueFactory = _ => "f32", HelpName = "TYPE" };
        var outputType = new Option<string?>("--output-type") { Description = "Type of output.weight (default as llama.cpp: q6_k for 4/5-bit and K types, else --type).", HelpName = "TYPE" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random weights (the same seed gives the same file).", HelpName = "S" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "SentencePiece tokenizer to embed: tokenizer.model, llama2.c tokenizer.bin, or a GGUF with a llama vocabulary (default: a synthetic vocabulary).", HelpName = "PATH" };
        var name = new Option<string?>("--name") { Description = "general.name of the model.", HelpName = "TEXT" };
        var output = new Option<string>("--output", "-o") { Description = "The GGUF file to write.", Required = true, HelpName = "FILE" };
        var json = CommonOptions.Json();
        var command = new Command("create-random", "Write a model of any size with random weights (GGUF, loadable by NextToken and llama.cpp).")
        {
            arch, dim, layers, heads, kvHeads, ffn, vocab, contextLength, type, outputType, seed, tokenizer, name, output, json,
        };
        CommandLineApp.SetAction(command, context, (parse, cancellation) =>
        {
            var path = parse.GetValue(output)!;
            var clock = Stopwatch.StartNew();
            ConversionResult result;
            try
            {
                var options = new RandomModelOptions
                {
                    Architecture = parse.GetValue(arch)!,
                    EmbeddingLength = parse.GetValue(dim),
                    LayerCount = parse.GetValue(layers),
                    HeadCount = parse.GetValue(heads),
                    KvHeadCount = parse.GetValue(kvHeads),
                    FeedForwardLength = parse.GetValue(ffn),
                    VocabularySize = parse.GetValue(vocab),
                    ContextLength = parse.GetValue(contextLength),
                    Type = QuantizationTypes.Parse(parse.GetValue(type)!, nameof(RandomModelOptions.Type)),
                    OutputType = parse.GetValue(outputType) is { } o ? QuantizationTypes.Parse(o, nameof(RandomModelOptions.OutputType)) : null,
                    Seed = parse.GetValue(seed),
                    TokenizerPath = parse.GetValue(tokenizer),
                    Name = parse.GetValue(name),
                };
                result = context.WithProgress("writing random weights", report => RandomModel.Create(path, options, report, cancellation));
            }
            catch (ArgumentException e) when (e.ParamName is { } p && OptionNames.TryGetValue(p, out var option))
            {
                throw WithOption(e, option);
            }
            var seconds = clock.Elapsed.TotalSeconds;
            WriteSummary(context, parse.GetValue(json), result, seconds);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The same error, its message led by the command-line option it is about.</summary>
    internal static ArgumentException WithOption(ArgumentException e, string option) =>
        new($"{option}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal)}", option, e);

    /// <summary>Prints what was written: file, size, parameter count, types, notes; shared with <c>quantize</c>.</summary>
    internal static void WriteSummary(CliContext context, bool json, ConversionResult result, double seconds)
    {
        var types = string.Join(", ", result.TensorTypes.OrderBy(t => t.Key).Select(t => $"{t.Key}×{t.Value}"));
        if (json)
        {
            context.WriteJson(new
            {
                Output = result.Path,
                Parameters = result.ParameterCount,
                FileBytes = result.FileBytes,
                TensorTypes = result.TensorTypes.OrderBy(t => t.Key).ToDictionary(t => t.Key.ToString(), t => t.Value),
                result.Notes,
                Seconds = Math.Round(seconds, 3),
            });
            return;
        }
        foreach (var note in result.Notes) context.Output.WriteLine($"note: {note}");
        context.Output.WriteLine($"wrote {result.Path}: {InfoCommand.FormatCount(result.ParameterCount)} parameters, {result.FileBytes / 1048576.0:0.0} MiB, tensors {types}, in {seconds:0.00} s");
    }
}
