using NextToken.Files;
using NextToken.Gguf;
using NextToken.Numerics;
using NextToken.Tokenizers;

namespace NextToken.Models;

/// <summary>Finds out what a path holds and builds the model: file format → configuration → weights → architecture.</summary>
internal static class ModelLoader
{
    public static readonly string[] SupportedArchitectures = ["llama", "mistral", "qwen2", "gpt2"];

    public static LanguageModel Load(string path, ModelOptions options)
    {
        if (Directory.Exists(path)) return LoadHuggingFace(path, options);
        if (!File.Exists(path)) throw new FileFormatException("model", path, "no such file or folder");
        var name = Path.GetFileName(path);
        if (name is "config.json" or SafetensorsCheckpoint.SingleFileName or SafetensorsCheckpoint.IndexFileName)
            return LoadHuggingFace(Path.GetDirectoryName(Path.GetFullPath(path))!, options);
        var isGguf = StartsWithGgufMagic(path) || Path.GetExtension(path).Equals(".gguf", StringComparison.OrdinalIgnoreCase);
        return isGguf ? LoadGguf(path, options) : LoadLlama2c(path, options);
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

    private static FileFormatException Unsupported(string path, string architecture) =>
        new("model", path, $"architecture '{architecture}' is not supported (supported: {string.Join(", ", SupportedArchitectures)})");

    // ---- GGUF ---------------------------------------------------------------------------------------------------

    private static LanguageModel LoadGguf(string path, ModelOptions options)
    {
        GgufFile file;
        try
        {
            file = GgufFile.Open(path);
        }
        catch (FileFormatException e) when (e.Kind != "model")
        {
            throw new FileFormatException("model", path, e.Problem, e);
        }
        try
        {
            var meta = file.Metadata;
            var architecture = Metadata(path, () => meta.GetString("general.architecture"));
            if (!SupportedArchitectures.Contains(architecture)) throw Unsupported(path, architecture);
            var reader = new TensorReader(file);
            var config = GgufConfig(path, file, architecture);
            Func<Tokenizer> tokenizer = () => Tokenizer.FromGguf(meta);
            var name = meta.GetString("general.name", null);
            return architecture == "gpt2"
                ? Gpt2Model.Create(config, reader, Gpt2TensorNames.Gguf, options, file, tokenizer, "gguf", name, null)
                : CreateLlama(config, reader, LlamaTensorNames.Gguf, options, file, tokenizer, "gguf", name, null);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static T Metadata<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FileFormatException e) when (e.Kind != "model")
        {
            throw new FileFormatException("model", path, e.Problem, e);
        }
    }

    private static TransformerConfig GgufConfig(string path, GgufFile file, string arch)
    {
        var meta = file.Metadata;
        int Int(string key, int? fallback = null) => Metadata(path, () =>
        {
            var value = fallback is null ? meta.GetInteger($"{arch}.{key}") : meta.GetInteger($"{arch}.{key}", fallback)!.Value;
            if (value is < 0 or > int.MaxValue) throw new FileFormatException("model", path, $"metadata '{arch}.{key}' is {value}");
            return (int)value;
        });
        var embedding = Int("embedding_length");
        var heads = Int("attention.head_count");
        var vocabulary = file.FindTensor("token_embd.weight") is { Dimensions.Length: 2 } t ? (int)t.Dimensions[1]
            : Metadata(path, () => meta.GetArray<string>("tokenizer.ggml.tokens")?.Length) ?? Int("vocab_size");
        var headSize = heads > 0 ? Int("attention.key_length", embedding / heads) : 0;
        RopeScaling? scaling = null;
        var scalingType = Metadata(path, () => meta.GetString($"{arch}.rope.scaling.type", null));
        if (scalingType is "linear")
            scaling = new RopeScaling("linear", Metadata(path, () => meta.GetFloat($"{arch}.rope.scaling.factor", 1))!.Value);
        else if (scalingType is not (null or "none"))
            throw new FileFormatException("model", path, $"rope scaling '{scalingType}' is not supported (linear is)");
        var epsilonKey = arch == "gpt2" ? "attention.layer_norm_epsilon" : "attention.layer_norm_rms_epsilon";
        var config = new TransformerConfig
        {
            Architecture = arch,
            VocabularySize = vocabulary,
            EmbeddingLength = embedding,
            LayerCount = Int("block_count"),
            HeadCount = heads,
            KvHeadCount = Int("attention.head_count_kv", heads),
            HeadSize = headSize,
            FeedForwardLength = Int("feed_forward_length", arch == "gpt2" ? 4 * embedding : null),
            ContextLength = Int("context_length"),
            NormEpsilon = (float)Metadata(path, () => meta.GetFloat($"{arch}.{epsilonKey}", 1e-5))!.Value,
            RopeTheta = Metadata(path, () => meta.GetFloat($"{arch}.rope.freq_base", 10000))!.Value,
            RotaryDimensions = arch == "gpt2" ? 0 : Int("rope.dimension_count", headSize),
            // llama.cpp's converter permutes Llama/Mistral Q and K rows so that GGUF pairs adjacent elements;
            // Qwen2 keeps Hugging Face's rotate_half layout (llama.cpp's NEOX rope).
            RopeStyle = arch == "qwen2" ? RopeStyle.Half : RopeStyle.Interleaved,
            RopeScaling = scaling,
            SlidingWindow = meta.Contains($"{arch}.attention.sliding_window") ? Int("attention.sliding_window") : null,
        };
        config.Validate(path);
        return config;
    }

    // ---- llama2.c -----------------------------------------------------------------------------------------------

    private static LanguageModel LoadLlama2c(string path, ModelOptions options)
    {
        var checkpoint = Llama2cCheckpoint.Open(path);
        try
        {
            var h = checkpoint.Header;
            var config = new TransformerConfig
            {
                Architecture = "llama",
                VocabularySize = h.VocabularySize,
                EmbeddingLength = h.Dimension,
                LayerCount = h.LayerCount,
                HeadCount = h.HeadCount,
                KvHeadCount = h.KvHeadCount,
                HeadSize = h.Dimension / h.HeadCount,
                FeedForwardLength = h.HiddenDimension,
                ContextLength = h.SequenceLength,
                NormEpsilon = 1e-5f,
                RopeStyle = RopeStyle.Interleaved,
            };
            config.Validate(path);
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            var tokenizerPath = new[] { "tokenizer.bin", $"tok{h.VocabularySize}.bin" }.Select(n => Path.Combine(directory, n)).FirstOrDefault(File.Exists)
                ?? throw new FileFormatException("model", path, $"no tokenizer.bin or tok{h.VocabularySize}.bin beside the checkpoint");
            var reader = new TensorReader(checkpoint);
            return CreateLlama(config, reader, LlamaTensorNames.Gguf, options, checkpoint, () => Tokenizer.FromFile(tokenizerPath), "llama2.c",
                Path.GetFileNameWithoutExtension(path), null);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    // ---- Hugging Face -------------------------------------------------------------------------------------------

    private static LanguageModel LoadHuggingFace(string directory, ModelOptions options)
    {
        var configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath)) throw new FileFormatException("model", directory, "the folder has no config.json");
        var hf = HuggingFaceConfig.Read(configPath);
        if (!SupportedArchitectures.Contains(hf.Architecture)) throw Unsupported(directory, hf.Architecture);
        var config = hf.ToTransformerConfig();
        config.Validate(configPath);
        var generationPath = Path.Combine(directory, "generation_config.json");
        var generation = File.Exists(generationPath) ? GenerationDefaults.Read(generationPath) : null;
        if (!SafetensorsCheckpoint.Exists(directory))
            throw new FileFormatException("model", directory, $"no {SafetensorsCheckpoint.SingleFileName} or {SafetensorsCheckpoint.IndexFileName} in the folder");
        var checkpoint = SafetensorsCheckpoint.Open(directory);
        try
        {
            var reader = new TensorReader(checkpoint);
            Func<Tokenizer> tokenizer = () => Tokenizer.FromDirectory(directory);
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
            return config.Architecture == "gpt2"
                ? Gpt2Model.Create(config, reader, Gpt2TensorNames.HuggingFace(reader), options, checkpoint, tokenizer, "safetensors", name, generation)
                : CreateLlama(config, reader, LlamaTensorNames.HuggingFace, options, checkpoint, tokenizer, "safetensors", name, generation);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    private static LanguageModel CreateLlama(TransformerConfig config, TensorReader reader, LlamaTensorNames names, ModelOptions options,
        IDisposable source, Func<Tokenizer> tokenizer, string format, string? name, GenerationDefaults? generation)
    {
        var weights = LlamaModel.LoadWeights(reader, config, names);
        var info = Describe(config, reader, format, name);
        return new LlamaModel(config, weights, info, new ComputePool(options.Threads) { QuantizeActivations = options.QuantizeActivations }, source, tokenizer, generation);
    }

    internal static ModelInfo Describe(TransformerConfig config, TensorReader reader, string format, string? name) => new()
    {
        Architecture = config.Architecture,
        VocabularySize = config.VocabularySize,
        ContextLength = config.ContextLength,
        EmbeddingLength = config.EmbeddingLength,
        LayerCount = config.LayerCount,
        HeadCount = config.HeadCount,
        KvHeadCount = config.KvHeadCount,
        FeedForwardLength = config.FeedForwardLength,
        Path = reader.Path,
        Format = format,
        ParameterCount = reader.ParameterCount,
        TensorTypes = new Dictionary<TensorType, int>(reader.TensorTypes),
        Name = name,
    };
}
