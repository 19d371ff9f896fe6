using NextToken.Conversion;
using NextToken.Files;
using NextToken.Models;
using NextToken.Numerics;
using NextToken.Testing;
using NextToken.Tests.Models;

namespace NextToken.Tests.Conversion;

public sealed class ModelQuantizerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nexttoken-quantize-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string NewPath(string name) => Path.Combine(_directory, name);

    /// <summary>The first cases of a golden file, parsed without reading the rest (the logits files are megabytes).</summary>
    private static List<GoldenCase> FirstCases(string relative, int count) => TestData.JsonLines(relative).Take(count).Select(e => new GoldenCase(
        e.GetProperty("prompt").GetString()!,
        e.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray(),
        e.GetProperty("logits").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray(),
        [])).ToList();

    [Fact]
    public void Q8_0FromF32MatchesLlamaCppsQuantizerByteForByte()
    {
        var output = NewPath("q8_0.gguf");
        var result = ModelQuantizer.Quantize(TestData.Path("models/llama-random/llama-random-f32.gguf"), output, new QuantizeOptions { Type = TensorType.Q8_0 });
        Assert.Empty(result.Notes);
        using var ours = GgufFile.Open(output);
        using var reference = GgufFile.Open(TestData.Path("models/llama-random/llama-random-q8_0.gguf"));
        Assert.Equal(reference.Tensors.Count, ours.Tensors.Count);
        var compared = 0;
        foreach (var expected in reference.Tensors)
        {
            var actual = ours.GetTensorInfo(expected.Name);
            Assert.Equal(expected.Dimensions, actual.Dimensions);
            // The q8_0 reference has every matrix (output included) as Q8_0 and every vector as F32: the types agree.
            Assert.Equal(expected.Type, actual.Type);
            Assert.True(reference.GetBytes(expected).SequenceEqual(ours.GetBytes(actual)), $"tensor '{expected.Name}' differs");
            if (expected.Type == TensorType.Q8_0) compared++;
        }
        Assert.True(compared >= 10);
        Assert.Equal(7, ours.Metadata.GetInteger("general.file_type"));
        // Identical tensors: exact arithmetic follows the exact reference, and any engine setting gives exactly the
        // logits of llama.cpp's own Q8_0 file.
        using (var exact = LanguageModel.Load(output, new ModelOptions { QuantizeActivations = false }))
            foreach (var golden in GoldenCase.Read("golden/llama-random/llama-random-q8_0.exact.jsonl"))
                Golden.AssertLogits(exact, golden, 1e-3f);
        using var converted = LanguageModel.Load(output);
        using var original = LanguageModel.Load(TestData.Path("models/llama-random/llama-random-q8_0.gguf"));
        int[] tokens = [1, 400, 30, 260, 7];
        using var a = converted.CreateSession();
        using var b = original.CreateSession();
        Assert.Equal(b.Forward(tokens, ForwardOptions.AllLogits).Logits, a.Forward(tokens, ForwardOptions.AllLogits).Logits);
    }

    [Fact]
    public void EveryMetadataKeyIsCopied()
    {
        var input = TestData.Path("models/llama-random/llama-random-f32.gguf");
        var output = NewPath("q4_0.gguf");
        ModelQuantizer.Quantize(input, output, new QuantizeOptions { Type = TensorType.Q4_0 });
        using var source = GgufFile.Open(input);
        using var written = GgufFile.Open(output);
        foreach (var (key, value) in source.Metadata.Values)
        {
            if (key == "general.file_type") continue;
            Assert.Equal(value, written.Metadata.Get(key));
        }
        Assert.Equal(2, written.Metadata.GetInteger("general.file_type"));
        Assert.Equal(2, written.Metadata.GetInteger("general.quantization_version"));
        Assert.Equal(TensorType.Q4_0, written.GetTensorInfo("blk.0.ffn_down.weight").Type);
        Assert.Equal(TensorType.Q6_K, written.GetTensorInfo("output.weight").Type);
        Assert.Equal(TensorType.F32, written.GetTensorInfo("blk.0.attn_norm.weight").Type);
    }

    [Fact]
    public void RowsThatAreNotWholeBlocksFallBackAndSaySo()
    {
        // stories260K: dim 64 (no whole Q4_K blocks: Q5_0) and ffn 172 (not even whole 32-blocks: F16).
        var output = NewPath("stories-q4_k.gguf");
        var result = ModelQuantizer.Quantize(TestData.DefaultModel, output, new QuantizeOptions { Type = TensorType.Q4_K });
        using (var gguf = GgufFile.Open(output))
        {
            Assert.Equal(TensorType.Q5_0, gguf.GetTensorInfo("blk.0.attn_q.weight").Type);
            Assert.Equal(TensorType.F16, gguf.GetTensorInfo("blk.0.ffn_down.weight").Type);
        }
        Assert.Contains(result.Notes, n => n.Contains("blk.0.ffn_down.weight") && n.Contains("F16"));
        Assert.Contains(result.Notes, n => n.Contains("blk.0.attn_q.weight") && n.Contains("Q5_0"));
        using var model = LanguageModel.Load(output);
        using var session = model.CreateSession();
        Assert.All(session.Forward([1, 400, 30]).LastLogits.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void HuggingFaceLlamaConvertsToGgufWithLlamaCppsLogits()
    {
        var output = NewPath("llama-hf.gguf");
        ModelQuantizer.Quantize(TestData.Path("models/llama-hf-random"), output, new QuantizeOptions { Type = TensorType.F32 });
        using (var gguf = GgufFile.Open(output))
        {
            Assert.Equal("llama", gguf.Metadata.GetString("general.architecture"));
            Assert.Equal(2, gguf.Metadata.GetInteger("llama.attention.head_count_kv"));
            Assert.Equal(160, gguf.Metadata.GetInteger("llama.feed_forward_length"));
            Assert.Equal(new long[] { 64, 32 }, gguf.GetTensorInfo("blk.1.attn_k.weight").Dimensions);
        }
        using var model = LanguageModel.Load(output);
        var goldens = FirstCases("golden/llama-hf-random/llamacpp-logits.jsonl", 2);
        foreach (var golden in goldens)
        {
            Golden.AssertLogits(model, golden, 1e-4f);
            // The embedded tokenizer (Llama 2's tokenizer.model, BOS from tokenizer_config.json) gives llama.cpp's ids.
            Assert.Equal(golden.Tokens, model.Tokenizer.Encode(golden.Prompt, addSpecialTokens: true));
        }
    }

    [Fact]
    public void HuggingFaceGpt2ConvertsToGgufWithPyTorchsLogits()
    {
        var output = NewPath("gpt2.gguf");
        ModelQuantizer.Quantize(TestData.Path("models/gpt2-random"), output, new QuantizeOptions { Type = TensorType.F32 });
        using (var gguf = GgufFile.Open(output))
        using (var twin = GgufFile.Open(TestData.Path("models/gpt2-random/gpt2-random.gguf")))
        {
            // Same layout as llama.cpp's own conversion of this folder, tensor for tensor.
            Assert.Equal(twin.Tensors.Select(t => (t.Name, string.Join(",", t.Dimensions))).OrderBy(x => x.Name),
                gguf.Tensors.Select(t => (t.Name, string.Join(",", t.Dimensions))).OrderBy(x => x.Name));
            Assert.True(twin.GetBytes(twin.GetTensorInfo("blk.1.attn_qkv.weight")).SequenceEqual(gguf.GetBytes(gguf.GetTensorInfo("blk.1.attn_qkv.weight"))));
            Assert.Equal("gpt-2", gguf.Metadata.GetString("tokenizer.ggml.pre"));
            Assert.Equal(twin.Metadata.GetArray<string>("tokenizer.ggml.merges"), gguf.Metadata.GetArray<string>("tokenizer.ggml.merges"));
            Assert.Equal(twin.Metadata.GetArray<string>("tokenizer.ggml.tokens"), gguf.Metadata.GetArray<string>("tokenizer.ggml.tokens"));
        }
        using var model = LanguageModel.Load(output);
        foreach (var golden in FirstCases("golden/gpt2-random/torch-logits.jsonl", 2))
        {
            Golden.AssertLogits(model, golden, 1e-4f);
            Assert.Equal(golden.Tokens, model.Tokenizer.Encode(golden.Prompt));
        }
    }

    [Theory]
    [InlineData(TensorType.F16)]
    [InlineData(TensorType.BF16)]
    public void HalfPrecisionGgufInputIsReadExactly(TensorType half)
    {
        // float32 → 16 bits → float32 must give exactly each value rounded to 16 bits, for every matrix.
        var full = NewPath("llama-f32.gguf");
        var halved = NewPath($"llama-{half}.gguf");
        var back = NewPath($"llama-{half}-f32.gguf");
        ModelQuantizer.Quantize(TestData.Path("models/llama-hf-random"), full, new QuantizeOptions { Type = TensorType.F32 });
        ModelQuantizer.Quantize(full, halved, new QuantizeOptions { Type = half });
        var result = ModelQuantizer.Quantize(halved, back, new QuantizeOptions { Type = TensorType.F32 });
        Assert.Equal(new Dictionary<TensorType, int> { [TensorType.F32] = 21 }, result.TensorTypes);
        using var original = GgufFile.Open(full);
        using var roundTripped = GgufFile.Open(back);
        foreach (var tensor in original.Tensors)
        {
            var expected = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(original.GetBytes(tensor)).ToArray();
            if (tensor.Dimensions.Length == 2)
                for (var i = 0; i < expected.Length; i++)
                    expected[i] = half == TensorType.F16 ? (float)(Half)expected[i] : BFloat16(expected[i]);
            var actual = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(roundTripped.GetBytes(roundTripped.GetTensorInfo(tensor.Name))).ToArray();
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>Round to the nearest bfloat16 (ties to even), as a float.</summary>
    private static float BFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        bits += 0x7FFF + ((bits >> 16) & 1);
        return BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000);
    }

    [Fact]
    public void PermutationPairsRotateHalfElementsAsNeighbours()
    {
        // One head of 4: Hugging Face rotates (0, 2) and (1, 3); GGUF rotates (0, 1) and (2, 3).
        Assert.Equal(new long[] { 0, 2, 1, 3 }, Enumerable.Range(0, 4).Select(r => HuggingFaceConverter.RotateHalfToInterleaved(r, 4)).ToArray());
        // Second head of 6 starts at 6: GGUF 6..11 ← HF 6, 9, 7, 10, 8, 11.
        Assert.Equal(new long[] { 6, 9, 7, 10, 8, 11 }, Enumerable.Range(6, 6).Select(r => HuggingFaceConverter.RotateHalfToInterleaved(r, 6)).ToArray());
    }

    [Fact]
    public void AlreadyQuantizedInputIsRejected()
    {
        var e = Assert.Throws<FileFormatException>(() => ModelQuantizer.Quantize(TestData.Path("models/llama-random/llama-random-q4_0.gguf"), NewPath("x.gguf"), new QuantizeOptions()));
        Assert.Contains("llama-random-q4_0.gguf", e.Message);
        Assert.Contains("already quantized", e.Message);
        Assert.False(File.Exists(NewPath("x.gguf")));
    }

    [Fact]
    public void MissingAndUnreadableInputsAreClearErrors()
    {
        var missing = Assert.Throws<FileFormatException>(() => ModelQuantizer.Quantize(NewPath("nope.gguf"), NewPath("x.gguf"), new QuantizeOptions()));
        Assert.Contains("nope.gguf", missing.Message);
        Assert.Contains("no such file", missing.Message);
        File.WriteAllText(NewPath("text.gguf"), "not a model");
        Assert.Contains("not a GGUF file", Assert.Throws<FileFormatException>(() => ModelQuantizer.Quantize(NewPath("text.gguf"), NewPath("x.gguf"), new QuantizeOptions())).Message);
        Directory.CreateDirectory(NewPath("empty-folder"));
        Assert.Contains("config.json", Assert.Throws<FileFormatException>(() => ModelQuantizer.Quantize(NewPath("empty-folder"), NewPath("x.gguf"), new QuantizeOptions())).Message);
        Assert.Equal("Type", Assert.ThrowsAny<ArgumentException>(() => QuantizationTypes.Parse("q9_9", "Type")).ParamName);
        Assert.Equal("Type", Assert.ThrowsAny<ArgumentException>(() => ModelQuantizer.Quantize(TestData.DefaultModel, NewPath("x.gguf"), new QuantizeOptions { Type = TensorType.Q8_K })).ParamName);
    }
}
