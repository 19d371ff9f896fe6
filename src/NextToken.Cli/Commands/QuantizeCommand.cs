using System.CommandLine;
using System.Diagnostics;
using NextToken.Conversion;

namespace NextToken.Cli.Commands;

/// <summary>
/// <c>nexttoken quantize INPUT -o OUTPUT --type TYPE</c>: writes an F32/F16/BF16 GGUF file or a Hugging Face folder
/// (Llama family, GPT-2) as a GGUF file of another type, the way llama.cpp's converter and quantizer would.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("input") { Description = "An F32, F16 or BF16 .gguf file, or a Hugging Face folder (config.json + safetensors; Llama, Mistral or GPT-2)." };
        var output = new Option<string>("--output", "-o") { Description = "The GGUF file to write.", Required = true, HelpName = "FILE" };
        var type = new Option<string>("--type") { Description = $"Matrix type: {string.Join(", ", QuantizationTypes.Names)}.", DefaultValueFactory = _ => "q8_0", HelpName = "TYPE" };
        var outputType = new Option<string?>("--output-type") { Description = "Type of output.weight (default as llama.cpp: q6_k for 4/5-bit and K types, else --type).", HelpName = "TYPE" };
        var name = new Option<string?>("--name") { Description = "general.name of the written model.", HelpName = "TEXT" };
        var json = CommonOptions.Json();
        var command = new Command("quantize", "Write a GGUF or Hugging Face model as a GGUF file of another type (f32, f16, q8_0, q4_0, q4_k…).")
        {
            input, output, type, outputType, name, json,
        };
        CommandLineApp.SetAction(command, context, (parse, cancellation) =>
        {
            var from = parse.GetValue(input)!;
            var to = parse.GetValue(output)!;
            var clock = Stopwatch.StartNew();
            ConversionResult result;
            try
            {
                var options = new QuantizeOptions
                {
                    Type = QuantizationTypes.Parse(parse.GetValue(type)!, nameof(QuantizeOptions.Type)),
                    OutputType = parse.GetValue(outputType) is { } o ? QuantizationTypes.Parse(o, nameof(QuantizeOptions.OutputType)) : null,
                    Name = parse.GetValue(name),
                };
                result = context.WithProgress($"writing {QuantizationTypes.NameOf(options.Type)}", report => ModelQuantizer.Quantize(from, to, options, report, cancellation));
            }
            catch (ArgumentException e) when (e.ParamName is nameof(QuantizeOptions.Type) or nameof(QuantizeOptions.OutputType) or "output")
            {
                throw CreateRandomCommand.WithOption(e, e.ParamName switch { nameof(QuantizeOptions.Type) => "--type", nameof(QuantizeOptions.OutputType) => "--output-type", _ => "--output" });
            }
            CreateRandomCommand.WriteSummary(context, parse.GetValue(json), result, clock.Elapsed.TotalSeconds);
            return Task.FromResult(0);
        });
        return command;
    }
}
