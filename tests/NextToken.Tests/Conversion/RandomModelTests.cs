using NextToken.Conversion;
using NextToken.Files;
using NextToken.Models;
using NextToken.Numerics;
using NextToken.Testing;
using NextToken.Tokenizers;

namespace NextToken.Tests.Conversion;

public sealed class RandomModelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nexttoken-random-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string NewPath(string name) => Path.Combine(_directory, name);

    private static RandomModelOptions Small(TensorType type)
    {
        // K-quants need rows of 256; the 32-element types and float types run at dim 64.
        var d = QuantizationTypes.BlockSize(type) == 256 ? 256 : 64;
        return new RandomModelOptions
        {
            EmbeddingLength = d, LayerCount = 2, HeadCount = 4, KvHeadCount = 2, FeedForwardLength = 2 * d,
            VocabularySize = 300, ContextLength = 64, Type = type, Seed = 7,
        };
    }

    public static TheoryData<string> AllTypes => new(QuantizationTypes.Names);

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void EveryTypeLoadsAndGivesFiniteLogits(string typeName)
    {
        var type = QuantizationTypes.Parse(typeName);
        var path = NewPath($"random-{typeName}.gguf");
        var result = RandomModel.Create(path, Small(type));

        using (var gguf = GgufFile.Open(path))
        {
            Assert.Equal(type, gguf.GetTensorInfo("blk.0.attn_q.weight").Type);
            Assert.Equal(type, gguf.GetTensorInfo("token_embd.weight").Type);
            Assert.Equal(TensorType.F32, gguf.GetTensorInfo("blk.1.ffn_norm.weight").Type);
            // llama.cpp's rule: Q6_K output for 4/5-bit and K types, falling back to Q8_0 when rows of 64 are not whole Q6_K blocks.
            var expectedOutput = QuantizationTypes.Fallback(QuantizationTypes.OutputType(type), Small(type).EmbeddingLength);
            Assert.Equal(expectedOutput, gguf.GetTensorInfo("output.weight").Type);
            Assert.Equal((long)QuantizationTypes.FileType(type), gguf.Metadata.GetInteger("general.file_type"));
            Assert.Equal(result.FileBytes, new FileInfo(path).Length);
        }

        using var model = LanguageModel.Load(path);
        Assert.Equal(300, model.Info.VocabularySize);
        Assert.Equal(2, model.Info.LayerCount);
        using var session = model.CreateSession();
        var logits = session.Forward([1, 50, 299, 7], ForwardOptions.AllLogits).Logits;
        Assert.Equal(4 * 300, logits.Length);
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(logits, v => v != 0);
    }

    [Fact]
    public void SameSeedGivesIdenticalFilesAndAnotherSeedDoesNot()
    {
        var options = Small(TensorType.Q4_0);
        RandomModel.Create(NewPath("a.gguf"), options);
        RandomModel.Create(NewPath("b.gguf"), options);
        RandomModel.Create(NewPath("c.gguf"), options with { Seed = 8 });
        var a = File.ReadAllBytes(NewPath("a.gguf"));
        Assert.Equal(a, File.ReadAllBytes(NewPath("b.gguf")));
        Assert.NotEqual(a, File.ReadAllBytes(NewPath("c.gguf")));
    }

    [Fact]
    public void WeightsHaveTheRequestedSpreadAndNormsAreOne()
    {
        var path = NewPath("f32.gguf");
        RandomModel.Create(path, Small(TensorType.F32) with { EmbeddingLength = 128, FeedForwardLength = 256 });
        using var gguf = GgufFile.Open(path);
        var weights = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(gguf.GetBytes(gguf.GetTensorInfo("blk.0.ffn_up.weight"))).ToArray();
        var mean = weights.Average();
        var deviation = Math.Sqrt(weights.Average(w => (w - mean) * (w - mean)));
        Assert.InRange(mean, -0.001, 0.001);
        Assert.InRange(deviation, 0.019, 0.021);
        Assert.True(weights.Max(Math.Abs) <= 0.02f * 2 * MathF.Sqrt(3), "values are bounded by the Irwin–Hall range ±3.46σ");
        var norm = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(gguf.GetBytes(gguf.GetTensorInfo("output_norm.weight"))).ToArray();
        Assert.All(norm, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void HasLlamaCppMetadata()
    {
        var path = NewPath("meta.gguf");
        RandomModel.Create(path, Small(TensorType.Q8_0) with { ContextLength = 128 });
        using var gguf = GgufFile.Open(path);
        var m = gguf.Metadata;
        Assert.Equal("llama", m.GetString("general.architecture"));
        Assert.False(string.IsNullOrEmpty(m.GetString("general.name")));
        Assert.Equal(64, m.GetInteger("llama.embedding_length"));
        Assert.Equal(2, m.GetInteger("llama.block_count"));
        Assert.Equal(4, m.GetInteger("llama.attention.head_count"));
        Assert.Equal(2, m.GetInteger("llama.attention.head_count_kv"));
        Assert.Equal(128, m.GetInteger("llama.feed_forward_length"));
        Assert.Equal(128, m.GetInteger("llama.context_length"));
        Assert.Equal(16, m.GetInteger("llama.rope.dimension_count"));
        Assert.Equal(2, m.GetInteger("general.quantization_version"));
        Assert.Equal("llama", m.GetString("tokenizer.ggml.model"));
        Assert.Equal(300, m.GetArray<string>("tokenizer.ggml.tokens")!.Length);
    }

    [Fact]
    public void SyntheticVocabularyHasSpecialAndByteTokensAndEncodesAnyText()
    {
        var path = NewPath("vocab.gguf");
        RandomModel.Create(path, Small(TensorType.F16) with { VocabularySize = 1000 });
        using var model = LanguageModel.Load(path);
        var tokenizer = model.Tokenizer;
        Assert.Equal(1000, tokenizer.VocabularySize);
        Assert.Equal("<unk>", tokenizer.TokenToPiece(0));
        Assert.Equal("<s>", tokenizer.TokenToPiece(1));
        Assert.Equal("</s>", tokenizer.TokenToPiece(2));
        Assert.Equal("<0x41>", tokenizer.TokenToPiece(3 + 0x41));
        const string text = "Hello, wörld 😀 42";
        var ids = tokenizer.Encode(text);
        Assert.All(ids, id => Assert.InRange(id, 3, 999));
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Fact]
    public void EmbedsAGivenTokenizerAndTakesItsSize()
    {
        var tokenizerPath = TestData.Path("models/stories260K/tok512.bin");
        var path = NewPath("tok.gguf");
        RandomModel.Create(path, Small(TensorType.Q8_0) with { VocabularySize = null, TokenizerPath = tokenizerPath });
        using var model = LanguageModel.Load(path);
        Assert.Equal(512, model.Info.VocabularySize);
        var original = Tokenizer.FromFile(tokenizerPath);
        const string text = "Once upon a time, there was a little girl.";
        Assert.Equal(original.Encode(text, addSpecialTokens: true), model.Tokenizer.Encode(text, addSpecialTokens: true));
    }

    [Fact]
    public void Gpt2ModelLoadsAndRuns()
    {
        var path = NewPath("gpt2.gguf");
        RandomModel.Create(path, Small(TensorType.Q8_0) with { Architecture = "gpt2", KvHeadCount = null, FeedForwardLength = null });
        using (var gguf = GgufFile.Open(path))
        {
            Assert.Equal(TensorType.F32, gguf.GetTensorInfo("position_embd.weight").Type);
            Assert.Equal(new long[] { 64, 192 }, gguf.GetTensorInfo("blk.0.attn_qkv.weight").Dimensions);
            Assert.Equal(256, gguf.Metadata.GetInteger("gpt2.feed_forward_length"));
        }
        using var model = LanguageModel.Load(path);
        Assert.Equal("gpt2", model.Info.Architecture);
        using var session = model.CreateSession();
        Assert.All(session.Forward([5, 6, 7]).LastLogits.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(nameof(RandomModelOptions.HeadCount), 64, 5, 5, 128, TensorType.F32)]
    [InlineData(nameof(RandomModelOptions.KvHeadCount), 64, 4, 3, 128, TensorType.F32)]
    [InlineData(nameof(RandomModelOptions.EmbeddingLength), 64, 4, 4, 256, TensorType.Q4_K)]
    [InlineData(nameof(RandomModelOptions.FeedForwardLength), 256, 4, 4, 300, TensorType.Q6_K)]
    [InlineData(nameof(RandomModelOptions.FeedForwardLength), 64, 4, 4, 100, TensorType.Q8_0)]
    [InlineData(nameof(RandomModelOptions.EmbeddingLength), 0, 4, 4, 128, TensorType.F32)]
    [InlineData(nameof(RandomModelOptions.FeedForwardLength), 64, 4, 4, -1, TensorType.F32)]
    public void BadShapesNameTheOption(string parameter, int dim, int heads, int kvHeads, int ffn, TensorType type)
    {
        var options = new RandomModelOptions { EmbeddingLength = dim, LayerCount = 1, HeadCount = heads, KvHeadCount = kvHeads, FeedForwardLength = ffn, VocabularySize = 300, Type = type };
        var e = Assert.ThrowsAny<ArgumentException>(() => RandomModel.Create(NewPath("bad.gguf"), options));
        Assert.Equal(parameter, e.ParamName);
        Assert.False(File.Exists(NewPath("bad.gguf")));
    }

    [Fact]
    public void OtherBadOptionsAreRejected()
    {
        var good = Small(TensorType.F32);
        Assert.Equal(nameof(RandomModelOptions.VocabularySize), Assert.ThrowsAny<ArgumentException>(() => RandomModel.Create(NewPath("x.gguf"), good with { VocabularySize = 100 })).ParamName);
        Assert.Equal(nameof(RandomModelOptions.Architecture), Assert.ThrowsAny<ArgumentException>(() => RandomModel.Create(NewPath("x.gguf"), good with { Architecture = "bert" })).ParamName);
        Assert.Equal(nameof(RandomModelOptions.LayerCount), Assert.ThrowsAny<ArgumentException>(() => RandomModel.Create(NewPath("x.gguf"), good with { LayerCount = 0 })).ParamName);
        Assert.Equal(nameof(RandomModelOptions.VocabularySize), Assert.ThrowsAny<ArgumentException>(() =>
            RandomModel.Create(NewPath("x.gguf"), good with { TokenizerPath = TestData.Path("models/stories260K/tok512.bin"), VocabularySize = 300 })).ParamName);
        var missing = Assert.Throws<FileFormatException>(() => RandomModel.Create(NewPath("x.gguf"), good with { VocabularySize = null, TokenizerPath = NewPath("nope.model") }));
        Assert.Contains("nope.model", missing.Message);
    }
}
