using System.Text;
using NextToken.Files;
using NextToken.Models;
using NextToken.Testing;

namespace NextToken.Tests.Files;

/// <summary>Every broken model file gives one clear FileFormatException naming the file and the problem.</summary>
public sealed class BadModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nexttoken-bad-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static FileFormatException Fails(string path, string expectedProblem)
    {
        var e = Assert.ThrowsAny<FileFormatException>(() => LanguageModel.Load(path).Dispose());
        Assert.Equal(path, e.FilePath);
        Assert.Contains(expectedProblem, e.Message);
        return e;
    }

    /// <summary>A GGUF with no metadata and one tensor entry, written by hand so every field can lie.</summary>
    private static byte[] HandMadeGguf(ulong[] dims, uint type, ulong offset, int dataBytes)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write(0x46554747u);
        w.Write(3u);
        w.Write(1UL);
        w.Write(0UL);
        w.Write(1UL);
        w.Write((byte)'t');
        w.Write((uint)dims.Length);
        foreach (var d in dims) w.Write(d);
        w.Write(type);
        w.Write(offset);
        while (stream.Position % 32 != 0) w.Write((byte)0);
        w.Write(new byte[dataBytes]);
        w.Flush();
        return stream.ToArray();
    }

    private static FileFormatException GgufFails(byte[] bytes, string expectedProblem, string folder)
    {
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsAny<FileFormatException>(() => GgufFile.Open(path).Dispose());
        Assert.Contains(expectedProblem, e.Message);
        Assert.Contains(path, e.Message);
        return e;
    }

    [Fact]
    public void GgufTensorDirectoryProblems()
    {
        GgufFails(HandMadeGguf([4, 2], 0, 0, 16), "runs past the end", _folder);
        GgufFails(HandMadeGguf([4, 2], 0, 64, 32), "runs past the end", _folder);
        GgufFails(HandMadeGguf([4, 2], 0, 4, 64), "alignment", _folder);
        GgufFails(HandMadeGguf([4, 2], 99, 0, 32), "unknown or unsupported type", _folder);
        GgufFails(HandMadeGguf([33, 1], 2, 0, 64), "not a multiple of its block size", _folder);
        GgufFails(HandMadeGguf([1UL << 30, 1UL << 30], 0, 0, 32), "larger than the file", _folder);
        GgufFails(HandMadeGguf([4, 2, 1, 1, 1], 0, 0, 32), "dimensions", _folder);
        using var ok = GgufFile.Open(Write("ok.gguf", HandMadeGguf([4, 2], 0, 0, 32)));
        Assert.Equal(new long[] { 2, 4 }, ok.GetTensorInfo("t").Shape);
    }

    [Fact]
    public void TruncatedAndForeignFiles()
    {
        var model = File.ReadAllBytes(TestData.DefaultModel);
        Fails(Write("cut.gguf", model[..(model.Length / 2)]), "past the end");
        Fails(Write("head.gguf", model[..100]), "more than the file can hold");
        Fails(Write("magic.gguf", [.. "GGUX"u8, .. model[4..64]]), "not a GGUF file (bad magic)");
        Fails(Write("empty.bin", []), "empty");
        Fails(Write("text.bin", Encoding.UTF8.GetBytes("hello, this is not a model at all, just some text")), "llama2.c");
        var bin = File.ReadAllBytes(TestData.Path("models/stories260K/stories260K.bin"));
        Fails(Write("cut.bin", bin[..^100]), "truncated");
        Fails(Path.Combine(_folder, "missing.gguf"), "no such file");
    }

    [Fact]
    public void Llama2cHeaderProblems()
    {
        var versioned = new byte[256 + 64];
        BitConverter.GetBytes(Llama2cCheckpoint.Magic).CopyTo(versioned, 0);
        BitConverter.GetBytes(2).CopyTo(versioned, 4);
        Fails(Write("v2.bin", versioned), "version 2 is not supported");
        var bin = File.ReadAllBytes(TestData.Path("models/stories260K/stories260K.bin"));
        var badHeads = (byte[])bin.Clone();
        BitConverter.GetBytes(7).CopyTo(badHeads, 12); // n_heads 7 does not divide dim 64
        Fails(Write("heads.bin", badHeads), "not a multiple of n_heads");
        var noTokenizer = Path.Combine(Directory.CreateDirectory(Path.Combine(_folder, "alone")).FullName, "model.bin");
        File.WriteAllBytes(noTokenizer, bin);
        Fails(noTokenizer, "tok512.bin");
    }

    [Fact]
    public void MissingTensorsAndUnsupportedArchitectures()
    {
        using var source = GgufFile.Open(TestData.DefaultModel);
        string Rewrite(string name, Func<string, bool> keepTensor, Func<string, object, object>? metadata = null)
        {
            var writer = new GgufWriter();
            foreach (var (k, v) in source.Metadata.Values) writer.AddMetadata(k, metadata?.Invoke(k, v) ?? v);
            foreach (var t in source.Tensors.Where(t => keepTensor(t.Name))) writer.AddTensor(t.Name, t.Type, t.Dimensions, source.GetBytes(t));
            var path = Path.Combine(_folder, name);
            writer.Write(path);
            return path;
        }
        Fails(Rewrite("nokey.gguf", n => n != "blk.3.attn_k.weight"), "tensor 'blk.3.attn_k.weight' is missing");
        Fails(Rewrite("arch.gguf", _ => true, (k, v) => k == "general.architecture" ? "mamba" : v),
            "architecture 'mamba' is not supported (supported: llama, mistral, qwen2, gpt2)");
        Fails(Rewrite("heads.gguf", _ => true, (k, v) => k == "llama.attention.head_count_kv" ? 3u : v), "not a multiple of 3 key/value heads");
        Fails(Rewrite("ffn.gguf", _ => true, (k, v) => k == "llama.feed_forward_length" ? 100u : v), "has shape [172, 64], expected [100, 64]");
    }

    [Fact]
    public void SafetensorsProblems()
    {
        string Folder(string name, byte[] weights, string config)
        {
            var dir = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
            File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), weights);
            File.WriteAllText(Path.Combine(dir, "config.json"), config);
            return dir;
        }
        var config = File.ReadAllText(TestData.Path("models/llama-hf-random/config.json"));
        byte[] Header(string json, int dataBytes)
        {
            var header = Encoding.UTF8.GetBytes(json);
            return [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[dataBytes]];
        }
        Assert.Contains("runs past the end", Assert.ThrowsAny<FileFormatException>(() => LanguageModel.Load(Folder("long", [.. BitConverter.GetBytes(1000UL), .. "{}"u8], config))).Message);
        Assert.Contains("outside the data section", Assert.ThrowsAny<FileFormatException>(() =>
            LanguageModel.Load(Folder("offsets", Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4), config))).Message);
        Assert.Contains("needs 8 bytes", Assert.ThrowsAny<FileFormatException>(() =>
            LanguageModel.Load(Folder("shape", Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", 4), config))).Message);
        Assert.Contains("unknown dtype 'F7'", Assert.ThrowsAny<FileFormatException>(() =>
            LanguageModel.Load(Folder("dtype", Header("""{"a":{"dtype":"F7","shape":[2],"data_offsets":[0,4]}}""", 4), config))).Message);
        Assert.Contains("not valid JSON", Assert.ThrowsAny<FileFormatException>(() => LanguageModel.Load(Folder("json", Header("{nope", 0), config))).Message);
        var weights = File.ReadAllBytes(TestData.Path("models/llama-hf-random/model.safetensors"));
        Assert.Contains("'model.layers.0.self_attn.q_proj.weight' has shape [64, 64], expected [48, 64]", Assert.ThrowsAny<FileFormatException>(() =>
            LanguageModel.Load(Folder("qsize", weights, config.Replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 4, \"head_dim\": 12")))).Message);
        Assert.Contains("not a multiple of 4 heads", Assert.ThrowsAny<FileFormatException>(() =>
            LanguageModel.Load(Folder("hidden", weights, config.Replace("\"hidden_size\": 64", "\"hidden_size\": 66")))).Message);
        Assert.Contains("architecture 'bert' is not supported", Assert.ThrowsAny<FileFormatException>(() =>
            LanguageModel.Load(Folder("bert", weights, config.Replace("\"model_type\": \"llama\"", "\"model_type\": \"bert\"")))).Message);
        Assert.Contains("has no config.json", Assert.ThrowsAny<FileFormatException>(() => LanguageModel.Load(Directory.CreateDirectory(Path.Combine(_folder, "none")).FullName)).Message);
    }
}
