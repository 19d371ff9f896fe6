using System.Buffers.Binary;
using NextToken.Numerics;

namespace NextToken.Files;

/// <summary>
/// A llama2.c checkpoint (<c>run.c</c>'s <c>.bin</c>): a header, then float32 weights in llama2.c's order. Two
/// headers exist: the legacy one (seven int32: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size — negative
/// when the classifier is separate — and seq_len; the weights then include RoPE tables, skipped here) and the
/// versioned one ("ak42" magic, version, the same seven values, a shared-classifier byte, zero padding to 256
/// bytes). Version 1 (float32) is read; version 2 (int8) is refused. The weights are exposed under GGUF names.
/// </summary>
public sealed unsafe class Llama2cCheckpoint : ITensorSource
{
    /// <summary>"ak42" read as a little-endian u32.</summary>
    public const uint Magic = 0x616b3432;

    private const int LegacyHeaderBytes = 28;
    private const int VersionedHeaderBytes = 256;
    private readonly MappedFile _file;
    private readonly Dictionary<string, TensorView> _tensors = new(StringComparer.Ordinal);

    private Llama2cCheckpoint(MappedFile file, Llama2cHeader header, long dataOffset)
    {
        _file = file;
        Header = header;
        var h = header;
        var headSize = h.Dimension / h.HeadCount;
        var kvDimension = h.KvHeadCount * headSize;
        var offset = dataOffset;
        void Add(string name, params long[] shape)
        {
            var bytes = shape.Aggregate(4L, (a, d) => a * d);
            _tensors[name] = new TensorView(name, TensorType.F32, shape, (nint)(file.Pointer + offset), bytes, file);
            offset += bytes;
        }
        void PerLayer(string name, params long[] shape)
        {
            for (var l = 0; l < h.LayerCount; l++) Add($"blk.{l}.{name}", shape);
        }
        if (h.Version == 0)
        {
            Add("token_embd.weight", h.VocabularySize, h.Dimension);
            PerLayer("attn_norm.weight", h.Dimension);
            PerLayer("attn_q.weight", h.Dimension, h.Dimension);
            PerLayer("attn_k.weight", kvDimension, h.Dimension);
            PerLayer("attn_v.weight", kvDimension, h.Dimension);
            PerLayer("attn_output.weight", h.Dimension, h.Dimension);
            PerLayer("ffn_norm.weight", h.Dimension);
            PerLayer("ffn_gate.weight", h.HiddenDimension, h.Dimension);
            PerLayer("ffn_down.weight", h.Dimension, h.HiddenDimension);
            PerLayer("ffn_up.weight", h.HiddenDimension, h.Dimension);
            Add("output_norm.weight", h.Dimension);
            offset += 4L * h.SequenceLength * headSize; // freq_cis_real and freq_cis_imag, each [seq_len, head_size / 2]
        }
        else
        {
            PerLayer("attn_norm.weight", h.Dimension);
            PerLayer("ffn_norm.weight", h.Dimension);
            Add("output_norm.weight", h.Dimension);
            Add("token_embd.weight", h.VocabularySize, h.Dimension);
            PerLayer("attn_q.weight", h.Dimension, h.Dimension);
            PerLayer("attn_k.weight", kvDimension, h.Dimension);
            PerLayer("attn_v.weight", kvDimension, h.Dimension);
            PerLayer("attn_output.weight", h.Dimension, h.Dimension);
            PerLayer("ffn_gate.weight", h.HiddenDimension, h.Dimension);
            PerLayer("ffn_down.weight", h.Dimension, h.HiddenDimension);
            PerLayer("ffn_up.weight", h.HiddenDimension, h.Dimension);
        }
        if (!h.SharedClassifier) Add("output.weight", h.VocabularySize, h.Dimension);
    }

    /// <summary>The checkpoint file.</summary>
    public string Path => _file.Path;

    /// <summary>The model configuration.</summary>
    public Llama2cHeader Header { get; }

    /// <summary>Opens and validates a checkpoint.</summary>
    /// <exception cref="FileFormatException">Missing, truncated, an unsupported version, or sizes that do not add up.</exception>
    public static Llama2cCheckpoint Open(string path)
    {
        var file = MappedFile.Open(path, "model");
        try
        {
            var (header, dataOffset) = ReadHeader(file);
            return new Llama2cCheckpoint(file, header, dataOffset);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    IEnumerable<string> ITensorSource.TensorNames => _tensors.Keys;

    bool ITensorSource.TryGetTensor(string name, out TensorView tensor) => _tensors.TryGetValue(name, out tensor);

    public void Dispose() => _file.Dispose();

    private static (Llama2cHeader, long) ReadHeader(MappedFile file)
    {
        FileFormatException Error(string problem) => new("model", file.Path, problem);
        if (file.Length < LegacyHeaderBytes) throw Error(file.Length == 0 ? "the file is empty" : $"not a llama2.c checkpoint (only {file.Length} bytes)");
        int Int(long offset) => BinaryPrimitives.ReadInt32LittleEndian(file.Span(offset, 4));
        Llama2cHeader header;
        long dataOffset;
        if ((uint)Int(0) == Magic)
        {
            if (file.Length < VersionedHeaderBytes) throw Error($"truncated: the llama2.c header needs {VersionedHeaderBytes} bytes, the file has {file.Length}");
            var version = Int(4);
            if (version != 1)
                throw Error($"llama2.c checkpoint version {version} is not supported (version 1, float32, is; version 2 is int8-quantized: export version 1)");
            var shared = file.Span(36, 1)[0];
            if (shared > 1) throw Error($"the shared-classifier flag is {shared}, not 0 or 1");
            header = new Llama2cHeader(1, Int(8), Int(12), Int(16), Int(20), Int(24), Int(28), Int(32), shared == 1);
            dataOffset = VersionedHeaderBytes;
        }
        else
        {
            var vocabulary = Int(20);
            header = new Llama2cHeader(0, Int(0), Int(4), Int(8), Int(12), Int(16), Math.Abs(vocabulary), Int(24), vocabulary > 0);
            dataOffset = LegacyHeaderBytes;
        }
        Check(header, Error);
        var expected = dataOffset + 4 * FloatCount(header);
        if (file.Length != expected)
            throw Error($"{(file.Length < expected ? "truncated" : "unexpected size")}: a llama2.c checkpoint with dim {header.Dimension}, hidden_dim {header.HiddenDimension}, "
                        + $"{header.LayerCount} layers, vocabulary {header.VocabularySize} is {expected} bytes, the file has {file.Length}");
        return (header, dataOffset);
    }

    private static void Check(Llama2cHeader h, Func<string, FileFormatException> error)
    {
        const int limit = 1 << 20;
        if (h.Dimension is <= 0 or > limit || h.HiddenDimension is <= 0 or > limit || h.LayerCount is <= 0 or > 4096
            || h.HeadCount is <= 0 or > 4096 || h.KvHeadCount is <= 0 or > 4096 || h.VocabularySize is <= 0 or > 1 << 24 || h.SequenceLength is <= 0 or > 1 << 24)
            throw error($"not a llama2.c checkpoint (implausible header: dim {h.Dimension}, hidden_dim {h.HiddenDimension}, n_layers {h.LayerCount}, "
                        + $"n_heads {h.HeadCount}, n_kv_heads {h.KvHeadCount}, vocab_size {h.VocabularySize}, seq_len {h.SequenceLength})");
        if (h.Dimension % h.HeadCount != 0) throw error($"dim {h.Dimension} is not a multiple of n_heads {h.HeadCount}");
        if (h.HeadCount % h.KvHeadCount != 0) throw error($"n_heads {h.HeadCount} is not a multiple of n_kv_heads {h.KvHeadCount}");
        if (h.Dimension / h.HeadCount % 2 != 0) throw error($"the head size {h.Dimension / h.HeadCount} is odd, so RoPE cannot pair its elements");
    }

    private static long FloatCount(Llama2cHeader h)
    {
        long dim = h.Dimension, hidden = h.HiddenDimension, layers = h.LayerCount;
        var kvDim = (long)h.KvHeadCount * (h.Dimension / h.HeadCount);
        var count = h.VocabularySize * dim                           // token embeddings
                    + layers * (2 * dim)                             // attention and feed-forward norms
                    + layers * (2 * dim * dim + 2 * kvDim * dim)     // wq, wo, wk, wv
                    + layers * (3 * dim * hidden)                    // w1, w2, w3
                    + dim;                                           // final norm
        if (h.Version == 0) count += (long)h.SequenceLength * (h.Dimension / h.HeadCount);
        if (!h.SharedClassifier) count += h.VocabularySize * dim;
        return count;
    }
}
