using System.Text;
using NextToken.Gguf;
using NextToken.Testing;
using NextToken.Tokenizers.SentencePiece;

namespace NextToken.Tokenizers.Tests.SentencePiece;

/// <summary>Broken files: every problem is a <see cref="FileFormatException"/> that names the file.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static FileFormatException AssertBadFile(string path, Action load, string? problem = null)
    {
        var e = Assert.Throws<FileFormatException>(load);
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        if (problem is not null) Assert.Contains(problem, e.Problem);
        return e;
    }

    [Fact]
    public void MissingOrEmptyModelFile()
    {
        var missing = Path.Combine(_dir.Path, "nope.model");
        AssertBadFile(missing, () => SentencePieceTokenizer.FromModelFile(missing), "no such file");
        var empty = _dir.File("empty.model", []);
        AssertBadFile(empty, () => SentencePieceTokenizer.FromModelFile(empty), "empty");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(1001)]
    [InlineData(250_000)]
    public void TruncatedModelFile(int length)
    {
        var full = File.ReadAllBytes(TestData.Path("tokenizers/llama2/tokenizer.model"));
        var path = _dir.File($"cut{length}.model", full[..length]);
        AssertBadFile(path, () => SentencePieceTokenizer.FromModelFile(path));
    }

    [Fact]
    public void GarbageModelFiles()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20; i++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            var path = _dir.File($"garbage{i}.model", bytes);
            AssertBadFile(path, () => SentencePieceTokenizer.FromModelFile(path));
        }
        var text = _dir.File("text.model", "this is not a protobuf\n"u8.ToArray());
        AssertBadFile(text, () => SentencePieceTokenizer.FromModelFile(text));
    }

    [Fact]
    public void ModelWithAFieldLengthPastTheEnd()
    {
        // Field 1 (pieces), length-delimited, claiming 100 bytes with 2 present.
        var path = _dir.File("long.model", [0x0A, 100, 0x0A, 0x00]);
        AssertBadFile(path, () => SentencePieceTokenizer.FromModelFile(path), "past the end");
    }

    [Fact]
    public void ModelWithoutUnknownPiece()
    {
        var path = new ModelProtoWriter { ModelType = 2 }.Add("a", 0).WriteTo(_dir.Path);
        AssertBadFile(path, () => SentencePieceTokenizer.FromModelFile(path), "UNKNOWN");
    }

    private static byte[] Llama2cFile(params (float Score, byte[] Bytes)[] tokens)
    {
        var output = new List<byte>(BitConverter.GetBytes(16));
        foreach (var (score, bytes) in tokens)
        {
            output.AddRange(BitConverter.GetBytes(score));
            output.AddRange(BitConverter.GetBytes(bytes.Length));
            output.AddRange(bytes);
        }
        return [.. output];
    }

    [Fact]
    public void Llama2cTokenLengthPastTheEnd()
    {
        var good = Llama2cFile((0, "<unk>"u8.ToArray()), (0, "\n<s>\n"u8.ToArray()), (0, "\n</s>\n"u8.ToArray()));
        var bytes = good.Concat(BitConverter.GetBytes(0f)).Concat(BitConverter.GetBytes(50)).Concat("abc"u8.ToArray()).ToArray();
        var path = _dir.File("long.bin", bytes);
        AssertBadFile(path, () => SentencePieceTokenizer.FromLlama2cFile(path), "past the end");
        var truncated = _dir.File("truncated.bin", good[..^3]);
        AssertBadFile(truncated, () => SentencePieceTokenizer.FromLlama2cFile(truncated));
        var header = _dir.File("header.bin", good.Concat(new byte[5]).ToArray());
        AssertBadFile(header, () => SentencePieceTokenizer.FromLlama2cFile(header), "truncated");
        var empty = _dir.File("empty.bin", []);
        AssertBadFile(empty, () => SentencePieceTokenizer.FromLlama2cFile(empty), "empty");
        var missing = Path.Combine(_dir.Path, "missing.bin");
        AssertBadFile(missing, () => SentencePieceTokenizer.FromLlama2cFile(missing), "no such file");
    }

    [Fact]
    public void Llama2cMinimalVocabularyLoads()
    {
        var path = _dir.File("tiny.bin", Llama2cFile((0, "<unk>"u8.ToArray()), (0, "\n<s>\n"u8.ToArray()), (0, "\n</s>\n"u8.ToArray()), (-1, " a"u8.ToArray())));
        var tok = SentencePieceTokenizer.FromLlama2cFile(path);
        Assert.Equal("<s>", tok.TokenToPiece(1));
        Assert.Equal("▁a", tok.TokenToPiece(3));
        Assert.Equal(new[] { 1, 3, 0 }, tok.Encode("ab", addSpecialTokens: true)); // no byte tokens: "b" is unknown
    }

    /// <summary>A GGUF v3 file holding only metadata: strings, string arrays, f32 arrays, i32 arrays.</summary>
    private static byte[] Gguf(params (string Key, object Value)[] entries)
    {
        var output = new List<byte>();
        void U32(uint v) => output.AddRange(BitConverter.GetBytes(v));
        void U64(ulong v) => output.AddRange(BitConverter.GetBytes(v));
        void Str(string s)
        {
            var b = Encoding.UTF8.GetBytes(s);
            U64((ulong)b.Length);
            output.AddRange(b);
        }
        U32(GgufMetadata.Magic);
        U32(3);
        U64(0);
        U64((ulong)entries.Length);
        foreach (var (key, value) in entries)
        {
            Str(key);
            switch (value)
            {
                case string s: U32(8); Str(s); break;
                case string[] a: U32(9); U32(8); U64((ulong)a.Length); foreach (var s in a) Str(s); break;
                case float[] a: U32(9); U32(6); U64((ulong)a.Length); foreach (var f in a) output.AddRange(BitConverter.GetBytes(f)); break;
                case int[] a: U32(9); U32(5); U64((ulong)a.Length); foreach (var i in a) output.AddRange(BitConverter.GetBytes(i)); break;
                case uint u: U32(4); U32(u); break;
                default: throw new ArgumentException("unsupported test value");
            }
        }
        return [.. output];
    }

    [Fact]
    public void GgufTokensAndScoresOfDifferentLengths()
    {
        var path = _dir.File("mismatch.gguf", Gguf(("tokenizer.ggml.model", "llama"),
            ("tokenizer.ggml.tokens", new[] { "<unk>", "<s>", "</s>" }), ("tokenizer.ggml.scores", new[] { 0f, 0f })));
        AssertBadFile(path, () => SentencePieceTokenizer.FromGguf(GgufMetadata.Read(path)), "scores");
    }

    [Fact]
    public void GgufTokenTypesOfDifferentLength()
    {
        var path = _dir.File("types.gguf", Gguf(("tokenizer.ggml.model", "llama"),
            ("tokenizer.ggml.tokens", new[] { "<unk>", "<s>", "</s>" }), ("tokenizer.ggml.token_type", new[] { 2, 3 })));
        AssertBadFile(path, () => SentencePieceTokenizer.FromGguf(GgufMetadata.Read(path)), "token_type");
    }

    [Fact]
    public void GgufSpecialIdOutsideTheVocabulary()
    {
        var path = _dir.File("bos.gguf", Gguf(("tokenizer.ggml.model", "llama"),
            ("tokenizer.ggml.tokens", new[] { "<unk>", "<s>", "</s>" }), ("tokenizer.ggml.token_type", new[] { 2, 3, 3 }),
            ("tokenizer.ggml.bos_token_id", 7u)));
        AssertBadFile(path, () => SentencePieceTokenizer.FromGguf(GgufMetadata.Read(path)), "BOS id 7");
    }

    [Fact]
    public void GgufOfAnotherTokenizerKind()
    {
        var path = _dir.File("gpt2.gguf", Gguf(("tokenizer.ggml.model", "gpt2"), ("tokenizer.ggml.tokens", new[] { "a" })));
        AssertBadFile(path, () => SentencePieceTokenizer.FromGguf(GgufMetadata.Read(path)), "gpt2");
        var none = _dir.File("none.gguf", Gguf(("general.architecture", "llama")));
        AssertBadFile(none, () => SentencePieceTokenizer.FromGguf(GgufMetadata.Read(none)), "tokenizer.ggml.model");
    }
}
