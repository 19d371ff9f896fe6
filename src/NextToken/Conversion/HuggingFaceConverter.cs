using NextToken.Files;
using NextToken.Models;
using NextToken.Numerics;
using NextToken.Tokenizers.HuggingFace;

namespace NextToken.Conversion;

/// <summary>
/// Converts a Hugging Face folder (<c>config.json</c> + safetensors) of the Llama family (Llama, Mistral) or GPT-2 to a
/// GGUF file laid out as llama.cpp's <c>convert_hf_to_gguf.py</c> lays it out:
/// <list type="bullet">
/// <item>tensor names become GGUF names (<c>model.layers.0.self_attn.q_proj.weight</c> → <c>blk.0.attn_q.weight</c>);</item>
/// <item>the <c>{arch}.*</c> hyperparameters come from <c>config.json</c>;</item>
/// <item>Llama's Q and K rows are permuted from Hugging Face's rotate-half pairing (element i with i + d/2 of each head)
/// to GGUF's interleaved pairing (2i with 2i + 1), which is how NextToken and llama.cpp apply RoPE to GGUF files;</item>
/// <item>GPT-2's Conv1D weights, stored <c>[in, out]</c>, are transposed to <c>[out, in]</c>, and its tied output
/// projection is written out as <c>output.weight</c>;</item>
/// <item>the tokenizer is embedded: <c>tokenizer.model</c> as a <c>llama</c> vocabulary, <c>vocab.json</c> +
/// <c>merges.txt</c> as a <c>gpt2</c> vocabulary.</item>
/// </list>
/// </summary>
internal static class HuggingFaceConverter
{
    public static ConversionResult Convert(string directory, string output, QuantizeOptions options, Action<double>? progress, CancellationToken cancellation)
    {
        var configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath)) throw new FileFormatException("model", directory, "the folder has no config.json");
        var hf = HuggingFaceConfig.Read(configPath);
        if (hf.Architecture is not ("llama" or "mistral" or "gpt2"))
            throw new FileFormatException("model", directory, $"converting architecture '{hf.Architecture}' is not supported (llama, mistral, gpt2 are)");
        var config = hf.ToTransformerConfig();
        config.Validate(configPath);
        if (!SafetensorsCheckpoint.Exists(directory))
            throw new FileFormatException("model", directory, $"no {SafetensorsCheckpoint.SingleFileName} or {SafetensorsCheckpoint.IndexFileName} in the folder");
        using var checkpoint = SafetensorsCheckpoint.Open(directory);
        ITensorSource source = checkpoint;
        foreach (var name in source.TensorNames)
        {
            source.TryGetTensor(name, out var view);
            if (view.Type is not (TensorType.F32 or TensorType.F16 or TensorType.BF16) && IsWeight(name))
                throw new FileFormatException("model", directory, $"tensor '{name}' is {TensorLayout.Name(view.Type)}; only F32, F16 and BF16 checkpoints can be converted");
        }

        var gpt2 = config.Architecture == "gpt2";
        var arch = gpt2 ? "gpt2" : "llama";
        var writer = new GgufStreamWriter();
        writer.AddMetadata("general.architecture", arch);
        writer.AddMetadata("general.name", options.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))));
        writer.AddMetadata("general.file_type", QuantizationTypes.FileType(options.Type));
        if (QuantizationTypes.IsQuantized(options.Type)) writer.AddMetadata("general.quantization_version", 2u);
        AddHyperparameters(writer, arch, config);
        var tensors = gpt2 ? Gpt2Tensors(source, config) : LlamaTensors(source, config);
        AddTokenizer(writer, directory, gpt2, config.VocabularySize);
        return GgufModelWriter.Write(output, writer, tensors, options.Type, options.OutputType, progress, cancellation);
    }

    private static bool IsWeight(string name) => name.EndsWith(".weight", StringComparison.Ordinal) || name.EndsWith(".bias", StringComparison.Ordinal);

    private static void AddHyperparameters(GgufStreamWriter writer, string arch, TransformerConfig c)
    {
        writer.AddMetadata($"{arch}.context_length", (uint)c.ContextLength);
        writer.AddMetadata($"{arch}.embedding_length", (uint)c.EmbeddingLength);
        writer.AddMetadata($"{arch}.block_count", (uint)c.LayerCount);
        writer.AddMetadata($"{arch}.feed_forward_length", (uint)c.FeedForwardLength);
        writer.AddMetadata($"{arch}.attention.head_count", (uint)c.HeadCount);
        if (arch == "gpt2")
        {
            writer.AddMetadata("gpt2.attention.layer_norm_epsilon", c.NormEpsilon);
            return;
        }
        writer.AddMetadata("llama.attention.head_count_kv", (uint)c.KvHeadCount);
        writer.AddMetadata("llama.rope.dimension_count", (uint)c.HeadSize);
        writer.AddMetadata("llama.rope.freq_base", (float)c.RopeTheta);
        writer.AddMetadata("llama.attention.layer_norm_rms_epsilon", c.NormEpsilon);
        writer.AddMetadata("llama.vocab_size", (uint)c.VocabularySize);
        if (c.HeadSize * c.HeadCount != c.EmbeddingLength)
        {
            writer.AddMetadata("llama.attention.key_length", (uint)c.HeadSize);
            writer.AddMetadata("llama.attention.value_length", (uint)c.HeadSize);
        }
        if (c.RopeScaling is { Type: "linear" } linear)
        {
            writer.AddMetadata("llama.rope.scaling.type", "linear");
            writer.AddMetadata("llama.rope.scaling.factor", (float)linear.Factor);
        }
        if (c.SlidingWindow is { } window) writer.AddMetadata("llama.attention.sliding_window", (uint)window);
    }

    // ---- Llama --------------------------------------------------------------------------------------------------

    private static List<SourceTensor> LlamaTensors(ITensorSource source, TransformerConfig c)
    {
        var tensors = new List<SourceTensor>();
        TensorView Take(string name, params long[] shape)
        {
            if (!source.TryGetTensor(name, out var view)) throw new FileFormatException("model", source.Path, $"tensor '{name}' is missing");
            if (!view.Shape.AsSpan().SequenceEqual(shape)) throw new FileFormatException("model", source.Path, $"tensor '{name}' has shape {view.ShapeText}, expected [{string.Join(", ", shape)}]");
            return view;
        }
        long d = c.EmbeddingLength, q = c.QueryLength, kv = c.KvLength, f = c.FeedForwardLength, vocab = c.VocabularySize;
        tensors.Add(SourceTensor.Direct("token_embd.weight", Take("model.embed_tokens.weight", vocab, d)));
        for (var l = 0; l < c.LayerCount; l++)
        {
            string Hf(string part) => $"model.layers.{l}.{part}.weight";
            string Gguf(string part) => $"blk.{l}.{part}.weight";
            tensors.Add(SourceTensor.Direct(Gguf("attn_norm"), Take(Hf("input_layernorm"), d)));
            tensors.Add(SourceTensor.PermutedRows(Gguf("attn_q"), Take(Hf("self_attn.q_proj"), q, d), r => RotateHalfToInterleaved(r, c.HeadSize)));
            tensors.Add(SourceTensor.PermutedRows(Gguf("attn_k"), Take(Hf("self_attn.k_proj"), kv, d), r => RotateHalfToInterleaved(r, c.HeadSize)));
            tensors.Add(SourceTensor.Direct(Gguf("attn_v"), Take(Hf("self_attn.v_proj"), kv, d)));
            tensors.Add(SourceTensor.Direct(Gguf("attn_output"), Take(Hf("self_attn.o_proj"), d, q)));
            tensors.Add(SourceTensor.Direct(Gguf("ffn_norm"), Take(Hf("post_attention_layernorm"), d)));
            tensors.Add(SourceTensor.Direct(Gguf("ffn_gate"), Take(Hf("mlp.gate_proj"), f, d)));
            tensors.Add(SourceTensor.Direct(Gguf("ffn_up"), Take(Hf("mlp.up_proj"), f, d)));
            tensors.Add(SourceTensor.Direct(Gguf("ffn_down"), Take(Hf("mlp.down_proj"), d, f)));
        }
        tensors.Add(SourceTensor.Direct("output_norm.weight", Take("model.norm.weight", d)));
        // Tied embeddings: llama.cpp writes no output.weight and reuses token_embd.
        if (source.TryGetTensor("lm_head.weight", out _)) tensors.Add(SourceTensor.Direct("output.weight", Take("lm_head.weight", vocab, d)));
        if (c.RopeScaling is { Type: "llama3" } scaling)
            tensors.Add(SourceTensor.FromValues("rope_freqs.weight", Llama3FrequencyFactors(scaling, c.HeadSize, c.RopeTheta), [c.HeadSize / 2]));
        return tensors;
    }

    /// <summary>
    /// The Hugging Face row of a query/key head that GGUF row <paramref name="row"/> holds. Hugging Face rotates element
    /// i of a head with element i + size/2; GGUF rotates 2i with 2i + 1. So GGUF position 2i + h (h = 0 or 1) of a head
    /// takes Hugging Face position h·size/2 + i.
    /// </summary>
    internal static long RotateHalfToInterleaved(long row, int headSize)
    {
        var head = row / headSize;
        var within = row % headSize;
        var half = headSize / 2;
        return head * headSize + (within % 2) * half + within / 2;
    }

    /// <summary>Llama 3's per-frequency divisors (GGUF <c>rope_freqs.weight</c>): long wavelengths are stretched by the factor, short ones kept, the middle blended.</summary>
    private static float[] Llama3FrequencyFactors(RopeScaling s, int headSize, double theta)
    {
        var factors = new float[headSize / 2];
        var lowWavelength = s.OriginalContextLength / s.LowFrequencyFactor;
        var highWavelength = s.OriginalContextLength / s.HighFrequencyFactor;
        for (var i = 0; i < factors.Length; i++)
        {
            var frequency = 1 / Math.Pow(theta, 2.0 * i / headSize);
            var wavelength = 2 * Math.PI / frequency;
            if (wavelength < highWavelength) factors[i] = 1;
            else if (wavelength > lowWavelength) factors[i] = (float)s.Factor;
            else
            {
                var smooth = (s.OriginalContextLength / wavelength - s.LowFrequencyFactor) / (s.HighFrequencyFactor - s.LowFrequencyFactor);
                factors[i] = (float)(1 / ((1 - smooth) / s.Factor + smooth));
            }
        }
        return factors;
    }

    // ---- GPT-2 --------------------------------------------------------------------------------------------------

    private static List<SourceTensor> Gpt2Tensors(ITensorSource source, TransformerConfig c)
    {
        var prefix = source.TryGetTensor("transformer.wte.weight", out _) ? "transformer." : "";
        TensorView Take(string name, params long[] shape)
        {
            if (!source.TryGetTensor(prefix + name, out var view) && !source.TryGetTensor(name, out view))
                throw new FileFormatException("model", source.Path, $"tensor '{prefix + name}' is missing");
            if (!view.Shape.AsSpan().SequenceEqual(shape)) throw new FileFormatException("model", source.Path, $"tensor '{view.Name}' has shape {view.ShapeText}, expected [{string.Join(", ", shape)}]");
            return view;
        }
        long d = c.EmbeddingLength, f = c.FeedForwardLength, vocab = c.VocabularySize;
        var tensors = new List<SourceTensor>
        {
            SourceTensor.Direct("token_embd.weight", Take("wte.weight", vocab, d)),
            SourceTensor.Direct("position_embd.weight", Take("wpe.weight", c.ContextLength, d)),
        };
        for (var l = 0; l < c.LayerCount; l++)
        {
            var h = $"h.{l}.";
            var b = $"blk.{l}.";
            tensors.Add(SourceTensor.Direct(b + "attn_norm.weight", Take(h + "ln_1.weight", d)));
            tensors.Add(SourceTensor.Direct(b + "attn_norm.bias", Take(h + "ln_1.bias", d)));
            tensors.Add(SourceTensor.Transposed(b + "attn_qkv.weight", Take(h + "attn.c_attn.weight", d, 3 * d)));
            tensors.Add(SourceTensor.Direct(b + "attn_qkv.bias", Take(h + "attn.c_attn.bias", 3 * d)));
            tensors.Add(SourceTensor.Transposed(b + "attn_output.weight", Take(h + "attn.c_proj.weight", d, d)));
            tensors.Add(SourceTensor.Direct(b + "attn_output.bias", Take(h + "attn.c_proj.bias", d)));
            tensors.Add(SourceTensor.Direct(b + "ffn_norm.weight", Take(h + "ln_2.weight", d)));
            tensors.Add(SourceTensor.Direct(b + "ffn_norm.bias", Take(h + "ln_2.bias", d)));
            tensors.Add(SourceTensor.Transposed(b + "ffn_up.weight", Take(h + "mlp.c_fc.weight", d, f)));
            tensors.Add(SourceTensor.Direct(b + "ffn_up.bias", Take(h + "mlp.c_fc.bias", f)));
            tensors.Add(SourceTensor.Transposed(b + "ffn_down.weight", Take(h + "mlp.c_proj.weight", f, d)));
            tensors.Add(SourceTensor.Direct(b + "ffn_down.bias", Take(h + "mlp.c_proj.bias", d)));
        }
        tensors.Add(SourceTensor.Direct("output_norm.weight", Take("ln_f.weight", d)));
        tensors.Add(SourceTensor.Direct("output_norm.bias", Take("ln_f.bias", d)));
        // GPT-2 ties its output projection to wte; llama.cpp's GPT-2 files carry it as its own tensor.
        var output = source.TryGetTensor("lm_head.weight", out var head) ? head : Take("wte.weight", vocab, d);
        tensors.Add(SourceTensor.Direct("output.weight", output));
        return tensors;
    }

    // ---- Tokenizer ----------------------------------------------------------------------------------------------

    private static void AddTokenizer(GgufStreamWriter writer, string directory, bool gpt2, int vocabularySize)
    {
        string In(string file) => Path.Combine(directory, file);
        if (gpt2)
        {
            if (!File.Exists(In("vocab.json")) || !File.Exists(In("merges.txt")))
                throw new FileFormatException("model", directory, "a GPT-2 folder needs vocab.json and merges.txt to embed the tokenizer");
            var size = TokenizerMetadata.AddGpt2Vocabulary(writer, In("vocab.json"), In("merges.txt"), vocabularySize);
            if (size != vocabularySize)
                throw new FileFormatException("model", directory, $"vocab.json has {size} tokens but the model has {vocabularySize}");
            return;
        }
        if (!File.Exists(In("tokenizer.model")))
            throw new FileFormatException("model", directory, "a Llama folder needs tokenizer.model (SentencePiece) to embed the tokenizer");
        var vocabulary = TokenizerMetadata.ReadSentencePiece(In("tokenizer.model"));
        var (addBos, addEos) = HuggingFaceTokenizers.ReadAddFlags(In("tokenizer_config.json"));
        vocabulary = vocabulary with { AddBos = addBos ?? vocabulary.AddBos, AddEos = addEos ?? vocabulary.AddEos };
        if (vocabulary.Pieces.Length != vocabularySize)
            throw new FileFormatException("model", directory, $"tokenizer.model has {vocabulary.Pieces.Length} pieces but the model has {vocabularySize} tokens");
        TokenizerMetadata.AddLlamaVocabulary(writer, vocabulary);
    }
}
