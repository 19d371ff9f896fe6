using NextToken.Files;
using NextToken.Numerics;

namespace NextToken.Conversion;

/// <summary>
/// Rewrites an F32, F16 or BF16 GGUF model in another type, as llama.cpp's <c>llama-quantize</c> does: every metadata
/// key is copied (<c>general.file_type</c> and <c>general.quantization_version</c> are updated), tensors keep their
/// names, order and shapes, and each gets the type <see cref="QuantizationTypes"/> chooses.
/// </summary>
internal static class GgufConverter
{
    private static readonly HashSet<string> ReplacedKeys = ["general.file_type", "general.quantization_version", "general.alignment"];

    public static ConversionResult Convert(string input, string output, QuantizeOptions options, Action<double>? progress, CancellationToken cancellation)
    {
        using var gguf = GgufFile.Open(input);
        var source = (ITensorSource)gguf;
        var quantized = gguf.Tensors.FirstOrDefault(t => t.Type is not (TensorType.F32 or TensorType.F16 or TensorType.BF16));
        if (quantized is not null)
            throw new FileFormatException("model", input, $"the model is already quantized (tensor '{quantized.Name}' is {TensorLayout.Name(quantized.Type)}); quantize from an F32, F16 or BF16 file");

        var writer = new GgufStreamWriter(gguf.Alignment);
        foreach (var (key, value) in gguf.Metadata.Values)
        {
            if (ReplacedKeys.Contains(key)) continue;
            writer.AddMetadata(key, key == "general.name" && options.Name is { } name ? name : value);
        }
        if (options.Name is { } newName && !gguf.Metadata.Contains("general.name")) writer.AddMetadata("general.name", newName);
        writer.AddMetadata("general.file_type", QuantizationTypes.FileType(options.Type));
        if (QuantizationTypes.IsQuantized(options.Type)) writer.AddMetadata("general.quantization_version", 2u);

        var tensors = gguf.Tensors.Select(t =>
        {
            source.TryGetTensor(t.Name, out var view);
            return SourceTensor.Direct(t.Name, view);
        }).ToList();
        return GgufModelWriter.Write(output, writer, tensors, options.Type, options.OutputType, progress, cancellation);
    }
}
