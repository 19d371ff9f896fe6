using NextToken.Gguf;
using NextToken.Numerics;
using NextToken.Testing;

namespace NextToken.Tests.Numerics;

/// <summary>
/// The llama-random GGUF files hold one random model in F32 and in types made by llama.cpp's quantizer: decoding
/// each quantized tensor must give back the F32 tensor within that type's quantization error.
/// </summary>
public class GgufTensorTests
{
    private sealed record Tensor(string Name, TensorType Type, long Columns, long Rows, byte[] Bytes);

    /// <summary>Reads every tensor of a GGUF file (the test files are small).</summary>
    private static Dictionary<string, Tensor> ReadTensors(string path)
    {
        using var stream = File.OpenRead(path);
        var reader = new GgufReader(stream, path);
        var metadata = GgufMetadata.Read(reader);
        var alignment = metadata.GetInteger("general.alignment", 32) ?? 32;
        var infos = new List<(string Name, TensorType Type, long Columns, long Rows, long Offset)>();
        for (var i = 0; i < metadata.TensorCount; i++)
        {
            var name = reader.ReadString("tensor name");
            var dims = reader.ReadUInt32("dimension count");
            long columns = 1, rows = 1;
            for (var d = 0; d < dims; d++)
            {
                var size = (long)reader.ReadUInt64("dimension");
                if (d == 0) columns = size; else rows *= size;
            }
            var type = (TensorType)reader.ReadUInt32("type");
            infos.Add((name, type, columns, rows, (long)reader.ReadUInt64("offset")));
        }
        var dataStart = (reader.Position + alignment - 1) / alignment * alignment;
        var tensors = new Dictionary<string, Tensor>();
        foreach (var info in infos)
        {
            var bytes = new byte[info.Rows * WeightMatrix.RowByteLength(info.Type, (int)info.Columns)];
            stream.Position = dataStart + info.Offset;
            stream.ReadExactly(bytes);
            tensors[info.Name] = new Tensor(info.Name, info.Type, info.Columns, info.Rows, bytes);
        }
        return tensors;
    }

    private static float[] Decode(Tensor t)
    {
        var matrix = WeightMatrix.FromBytes(t.Type, t.Bytes, (int)t.Rows, (int)t.Columns);
        var values = new float[t.Rows * t.Columns];
        for (var r = 0; r < t.Rows; r++) matrix.DequantizeRow(r, values.AsSpan((int)(r * t.Columns), (int)t.Columns));
        return values;
    }

    /// <summary>Largest error relative to the block's largest magnitude that each type can make (a little above half a step).</summary>
    private static double RelativeStep(TensorType type) => type switch
    {
        TensorType.F32 => 0,
        TensorType.Q8_0 => 0.6 / 127,
        TensorType.Q6_K => 1.2 / 31,
        TensorType.Q5_0 or TensorType.Q5_1 or TensorType.Q5_K => 1.2 / 15,
        TensorType.Q4_0 or TensorType.Q4_1 or TensorType.Q4_K => 1.2 / 7,
        TensorType.Q3_K => 1.2 / 3,
        TensorType.Q2_K => 1.2 / 1.5,
        _ => throw new ArgumentException(type.ToString()),
    };

    [Theory]
    [InlineData("q8_0")]
    [InlineData("q4_0")]
    [InlineData("q4_1")]
    [InlineData("q5_0")]
    [InlineData("q5_1")]
    [InlineData("q2_k")]
    [InlineData("q3_k_m")]
    [InlineData("q4_k_m")]
    [InlineData("q5_k_m")]
    [InlineData("q6_k")]
    public void Quantized_file_decodes_to_the_f32_file_within_the_step(string name)
    {
        var reference = ReadTensors(TestData.Path("models/llama-random/llama-random-f32.gguf"));
        var quantized = ReadTensors(TestData.Path($"models/llama-random/llama-random-{name}.gguf"));
        var typesSeen = new HashSet<TensorType>();
        foreach (var t in quantized.Values)
        {
            var expected = reference[t.Name];
            Assert.Equal(TensorType.F32, expected.Type);
            var exact = Decode(expected);
            var decoded = Decode(t);
            typesSeen.Add(t.Type);
            var block = WeightMatrix.BlockSize(t.Type);
            double worst = 0, sumSquares = 0, sumError = 0;
            for (var start = 0; start < exact.Length; start += block)
            {
                var amax = 0.0;
                for (var j = 0; j < block; j++) amax = Math.Max(amax, Math.Abs(exact[start + j]));
                for (var j = 0; j < block; j++)
                {
                    var error = Math.Abs(decoded[start + j] - exact[start + j]);
                    worst = Math.Max(worst, error / Math.Max(amax, 1e-30));
                    sumError += error * error;
                    sumSquares += (double)exact[start + j] * exact[start + j];
                }
            }
            Assert.True(worst <= RelativeStep(t.Type), $"{name} {t.Name} ({t.Type}): an error of {worst:G3} × the block's amax");
            // And the error is noise-sized overall (a block's amax is about 3 RMS), which a misplaced element or a wrong scale would not be.
            Assert.True(Math.Sqrt(sumError / Math.Max(sumSquares, 1e-30)) <= 2 * RelativeStep(t.Type), $"{name} {t.Name}: relative RMS error {Math.Sqrt(sumError / sumSquares):G3}");
        }
        Assert.Contains(typesSeen, type => type != TensorType.F32);
    }
}
