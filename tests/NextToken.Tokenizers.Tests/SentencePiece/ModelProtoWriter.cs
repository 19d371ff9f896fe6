using NextToken.Tokenizers.SentencePiece;

namespace NextToken.Tokenizers.Tests.SentencePiece;

/// <summary>
/// Writes small SentencePiece <c>ModelProto</c> files for tests, in the protobuf wire format: enough of
/// pieces, trainer_spec and normalizer_spec to describe hand-checkable models.
/// </summary>
internal sealed class ModelProtoWriter
{
    private readonly List<(string Piece, float Score, PieceType Type)> _pieces = [];

    public int ModelType { get; set; } = 1;
    public bool ByteFallback { get; set; }
    public bool AddDummyPrefix { get; set; } = true;
    public bool RemoveExtraWhitespaces { get; set; } = true;
    public byte[]? CharsMap { get; set; }

    public ModelProtoWriter Add(string piece, float score, PieceType type = PieceType.Normal)
    {
        _pieces.Add((piece, score, type));
        return this;
    }

    /// <summary>The three pieces every model here starts with: &lt;unk&gt; 0, &lt;s&gt; 1, &lt;/s&gt; 2.</summary>
    public ModelProtoWriter AddDefaultSpecials() =>
        Add("<unk>", 0, PieceType.Unknown).Add("<s>", 0, PieceType.Control).Add("</s>", 0, PieceType.Control);

    public byte[] ToBytes()
    {
        var model = new List<byte>();
        foreach (var (piece, score, type) in _pieces)
        {
            var message = new List<byte>();
            WriteBytes(message, 1, System.Text.Encoding.UTF8.GetBytes(piece));
            WriteTag(message, 2, 5);
            message.AddRange(BitConverter.GetBytes(score));
            WriteVarintField(message, 3, (ulong)type);
            WriteBytes(model, 1, [.. message]);
        }
        var trainer = new List<byte>();
        WriteVarintField(trainer, 3, (ulong)ModelType);
        WriteVarintField(trainer, 35, ByteFallback ? 1UL : 0);
        WriteBytes(trainer, 2, "ignored model prefix"u8.ToArray()); // an unknown-to-the-reader field, to be skipped
        WriteVarintField(trainer, 43, unchecked((ulong)-1L)); // pad_id = -1, as a 10-byte varint
        WriteBytes(model, 2, [.. trainer]);
        var normalizer = new List<byte>();
        WriteBytes(normalizer, 1, (CharsMap is null ? "identity"u8 : "nmt_nfkc"u8).ToArray());
        if (CharsMap is not null) WriteBytes(normalizer, 2, CharsMap);
        WriteVarintField(normalizer, 3, AddDummyPrefix ? 1UL : 0);
        WriteVarintField(normalizer, 4, RemoveExtraWhitespaces ? 1UL : 0);
        WriteBytes(model, 3, [.. normalizer]);
        return [.. model];
    }

    public string WriteTo(string directory, string name = "tokenizer.model")
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, ToBytes());
        return path;
    }

    private static void WriteTag(List<byte> output, int field, int wireType) => WriteVarint(output, (ulong)(field << 3 | wireType));

    private static void WriteVarintField(List<byte> output, int field, ulong value)
    {
        WriteTag(output, field, 0);
        WriteVarint(output, value);
    }

    private static void WriteBytes(List<byte> output, int field, byte[] bytes)
    {
        WriteTag(output, field, 2);
        WriteVarint(output, (ulong)bytes.Length);
        output.AddRange(bytes);
    }

    private static void WriteVarint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }
        output.Add((byte)value);
    }
}

/// <summary>A temporary folder deleted after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nexttoken-spm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name, byte[] content)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
