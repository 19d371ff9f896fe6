using NextToken.Files;
using NextToken.Models;
using NextToken.Numerics;
using NextToken.Testing;

namespace NextToken.Tests.Models;

/// <summary>Weights rewritten with NextToken's own writers load back and give the same logits.</summary>
public sealed class RoundTripTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nexttoken-roundtrip-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static float[] Logits(string path, int[] tokens)
    {
        using var model = LanguageModel.Load(path);
        using var session = model.CreateSession();
        return session.Forward(tokens, ForwardOptions.AllLogits).Logits;
    }

    [Fact]
    public void GgufRewrittenByGgufWriterGivesIdenticalLogits()
    {
        var copy = Path.Combine(_folder, "copy.gguf");
        using (var gguf = GgufFile.Open(TestData.DefaultModel))
        {
            var writer = new GgufWriter(gguf.Alignment);
            foreach (var (key, value) in gguf.Metadata.Values) writer.AddMetadata(key, value);
            foreach (var t in gguf.Tensors) writer.AddTensor(t.Name, t.Type, t.Dimensions, gguf.GetBytes(t));
            writer.Write(copy);
        }
        int[] tokens = [1, 403, 407, 261, 378];
        Assert.Equal(Logits(TestData.DefaultModel, tokens), Logits(copy, tokens));
    }

    [Fact]
    public void SafetensorsRewrittenAsF32GivesIdenticalLogits()
    {
        var source = TestData.Path("models/llama-hf-random");
        var writer = new SafetensorsWriter();
        using (var file = SafetensorsFile.Open(Path.Combine(source, "model.safetensors")))
            foreach (var t in file.Tensors)
                writer.AddRaw(t.Name, t.DType, t.Shape, file.GetBytes(t));
        writer.Write(Path.Combine(_folder, "model.safetensors"));
        File.Copy(Path.Combine(source, "config.json"), Path.Combine(_folder, "config.json"));
        int[] tokens = [1, 306, 626, 263, 6635, 29889];
        Assert.Equal(Logits(source, tokens), Logits(_folder, tokens));
    }

    [Fact]
    public void ShardedSafetensorsLoadThroughTheIndex()
    {
        var source = TestData.Path("models/llama-hf-random");
        var first = new SafetensorsWriter();
        var second = new SafetensorsWriter();
        var map = new Dictionary<string, string>();
        using (var file = SafetensorsFile.Open(Path.Combine(source, "model.safetensors")))
            foreach (var t in file.Tensors)
            {
                var toFirst = t.Name.Contains("layers.0") || t.Name.Contains("embed");
                (toFirst ? first : second).AddRaw(t.Name, t.DType, t.Shape, file.GetBytes(t));
                map[t.Name] = toFirst ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            }
        first.Write(Path.Combine(_folder, "model-00001-of-00002.safetensors"));
        second.Write(Path.Combine(_folder, "model-00002-of-00002.safetensors"));
        File.WriteAllText(Path.Combine(_folder, SafetensorsCheckpoint.IndexFileName),
            System.Text.Json.JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = map }));
        File.Copy(Path.Combine(source, "config.json"), Path.Combine(_folder, "config.json"));
        int[] tokens = [1, 450, 6368, 310];
        Assert.Equal(Logits(source, tokens), Logits(_folder, tokens));
    }

    [Fact]
    public void GgufWriterKeepsEveryMetadataType()
    {
        var path = Path.Combine(_folder, "meta.gguf");
        var values = new Dictionary<string, object>
        {
            ["u8"] = (byte)200, ["i8"] = (sbyte)-5, ["u16"] = (ushort)60000, ["i16"] = (short)-300, ["u32"] = 4_000_000_000u, ["i32"] = -7,
            ["f32"] = 1.5f, ["bool"] = true, ["str"] = "héllo", ["u64"] = ulong.MaxValue, ["i64"] = long.MinValue, ["f64"] = Math.PI,
            ["floats"] = new[] { 1f, 2f }, ["strings"] = new[] { "a", "" }, ["nested"] = new object[] { new[] { 1, 2 }, new[] { 3 } },
        };
        var writer = new GgufWriter(64);
        foreach (var (k, v) in values) writer.AddMetadata(k, v);
        writer.AddTensor("t", [1f, 2f, 3f, 4f, 5f, 6f], 3, 2);
        writer.Write(path);
        using var gguf = GgufFile.Open(path);
        Assert.Equal(64, gguf.Alignment);
        foreach (var (k, v) in values)
        {
            if (k == "nested") Assert.Equal([1, 2], (int[])((object[])gguf.Metadata.Get(k)!)[0]);
            else Assert.Equal(v, gguf.Metadata.Get(k));
        }
        var tensor = gguf.GetTensorInfo("t");
        Assert.Equal(TensorType.F32, tensor.Type);
        Assert.Equal(new long[] { 2, 3 }, tensor.Shape);
        Assert.Equal(0, tensor.Offset % 64);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(gguf.GetBytes(tensor)).ToArray());
    }

    [Fact]
    public void SafetensorsWriterRoundsToF16AndBF16()
    {
        var path = Path.Combine(_folder, "halves.safetensors");
        float[] values = [1f, -2.5f, 1f / 3, 65504f];
        new SafetensorsWriter().Add("h", values, [4], TensorType.F16).Add("b", values, [2, 2], TensorType.BF16).Write(path);
        using var file = SafetensorsFile.Open(path);
        var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(file.GetBytes(file.FindTensor("h")!)).ToArray();
        Assert.Equal(values.Select(v => (float)(Half)v), halves.Select(h => (float)h));
        var b = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(file.GetBytes(file.FindTensor("b")!)).ToArray();
        // bfloat16 keeps the top 16 bits of float32, rounded to nearest even: 1/3 = 0x3EAAAAAB → 0x3EAB.
        Assert.Equal(new ushort[] { 0x3F80, 0xC020, 0x3EAB, 0x4780 }, b);
        Assert.Equal(new long[] { 2, 2 }, file.FindTensor("b")!.Shape);
        Assert.Equal("pt", file.Metadata["format"]);
    }
}
