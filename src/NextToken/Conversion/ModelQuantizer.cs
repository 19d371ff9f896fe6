using NextToken.Gguf;

namespace NextToken.Conversion;

/// <summary>
/// Writes a model as a GGUF file of a chosen type: from an F32/F16/BF16 GGUF file (re-encoding its tensors, metadata
/// copied) or from a Hugging Face folder of the Llama family or GPT-2 (converted to llama.cpp's GGUF layout with its
/// tokenizer embedded). Vectors stay F32, the output projection follows llama.cpp's rule, and a matrix whose rows
/// are not whole blocks falls back to the nearest type that fits (listed in <see cref="ConversionResult.Notes"/>).
/// </summary>
/// <example><code>
/// var result = ModelQuantizer.Quantize("model-f16.gguf", "model-q4_0.gguf", new QuantizeOptions { Type = TensorType.Q4_0 });
/// var converted = ModelQuantizer.Quantize("llama-hf/", "llama-f32.gguf", new QuantizeOptions { Type = TensorType.F32 });
/// </code></example>
public static class ModelQuantizer
{
    /// <summary>Converts <paramref name="input"/> (a GGUF file or a Hugging Face folder) to <paramref name="output"/>.</summary>
    /// <exception cref="FileFormatException">The input is missing, unreadable, already quantized, or of an unsupported architecture.</exception>
    /// <exception cref="ArgumentException">The options are invalid (e.g. a type a model cannot be written as).</exception>
    public static ConversionResult Quantize(string input, string output, QuantizeOptions options, Action<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentNullException.ThrowIfNull(options);
        if (!QuantizationTypes.IsTarget(options.Type)) throw new ArgumentException($"{options.Type} is not a type a model can be written as", nameof(options.Type));
        if (options.OutputType is { } o && !QuantizationTypes.IsTarget(o)) throw new ArgumentException($"{o} is not a type a tensor can be written as", nameof(options.OutputType));
        if (Directory.Exists(input)) return HuggingFaceConverter.Convert(input, output, options, progress, cancellation);
        if (!File.Exists(input)) throw new FileFormatException("model", input, "no such file or folder");
        if (Path.GetFileName(input) is "config.json" or "model.safetensors" or "model.safetensors.index.json")
            return HuggingFaceConverter.Convert(Path.GetDirectoryName(Path.GetFullPath(input))!, output, options, progress, cancellation);
        if (!StartsWithGgufMagic(input))
            throw new FileFormatException("model", input, "not a GGUF file (bad magic); quantize takes a GGUF file or a Hugging Face folder");
        if (Path.GetFullPath(input) == Path.GetFullPath(output))
            throw new ArgumentException($"the output '{output}' is the input; write to another file", nameof(output));
        return GgufConverter.Convert(input, output, options, progress, cancellation);
    }

    private static bool StartsWithGgufMagic(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return stream.Read(magic) == 4 && BitConverter.ToUInt32(magic) == GgufMetadata.Magic;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FileFormatException("model", path, e.Message, e);
        }
    }
}
