using NextToken.Numerics;

namespace NextToken.Conversion;

/// <summary>
/// Writes a model's tensors to a GGUF file in the type the model is written as: chooses each tensor's type with
/// <see cref="QuantizationTypes"/>, declares them, then streams each one through <see cref="TensorEncoder"/>. Notes
/// record every matrix that fell back to another type because its rows are not whole blocks.
/// </summary>
internal static class GgufModelWriter
{
    public static ConversionResult Write(string path, GgufStreamWriter writer, IReadOnlyList<SourceTensor> tensors, TensorType type, TensorType? outputType,
        Action<double>? progress, CancellationToken cancellation)
    {
        var output = outputType ?? QuantizationTypes.OutputType(type);
        var types = new TensorType[tensors.Count];
        var notes = new List<string>();
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            types[i] = QuantizationTypes.Choose(t.Name, t.Dimensions, type, output);
            var wanted = t.Name == "output.weight" ? output : type;
            if (t.Dimensions.Length >= 2 && types[i] != wanted && t.Name != "position_embd.weight")
                notes.Add($"{t.Name}: rows of {t.Dimensions[0]} are not whole {wanted} blocks of {QuantizationTypes.BlockSize(wanted)}; written as {types[i]}");
            writer.DeclareTensor(t.Name, types[i], t.Dimensions);
        }
        var total = Math.Max(1, tensors.Sum(t => t.ElementCount));
        long done = 0;
        var temporary = path + ".partial";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                writer.WriteHeader(stream);
                for (var i = 0; i < tensors.Count; i++)
                {
                    var t = tensors[i];
                    var before = done;
                    writer.WriteTensor(stream, s => TensorEncoder.Write(s, types[i], t.Rows, t.Columns, t.Fill,
                        written => progress?.Invoke((double)(before + written) / total), cancellation));
                    done += t.ElementCount;
                }
                writer.Finish(stream);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        progress?.Invoke(1);
        var counts = types.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        return new ConversionResult(path, tensors.Sum(t => t.ElementCount), new FileInfo(path).Length, counts, notes);
    }
}
