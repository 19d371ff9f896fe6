using NextToken.Numerics;

namespace NextToken.Models;

/// <summary>One Llama block's weights. d = embedding length, q = heads · head size, kv = key/value heads · head size, f = feed-forward length.</summary>
internal sealed class LlamaLayerWeights
{
    public required float[] AttentionNorm { get; init; }      // (d)
    public required WeightMatrix Query { get; init; }         // (q, d)
    public required WeightMatrix Key { get; init; }           // (kv, d)
    public required WeightMatrix Value { get; init; }         // (kv, d)
    public float[]? QueryBias { get; init; }                  // (q), Qwen2
    public float[]? KeyBias { get; init; }                    // (kv), Qwen2
    public float[]? ValueBias { get; init; }                  // (kv), Qwen2
    public required WeightMatrix AttentionOutput { get; init; } // (d, q)
    public required float[] FeedForwardNorm { get; init; }    // (d)
    public required WeightMatrix Gate { get; init; }          // (f, d)
    public required WeightMatrix Up { get; init; }            // (f, d)
    public required WeightMatrix Down { get; init; }          // (d, f)
}

/// <summary>The weights of a Llama-family model (Llama, Mistral, Qwen2, TinyLlama, SmolLM…). Immutable once loaded.</summary>
internal sealed class LlamaWeights
{
    public required WeightMatrix TokenEmbedding { get; init; } // (vocab, d)
    public required LlamaLayerWeights[] Layers { get; init; }
    public required float[] OutputNorm { get; init; }          // (d)
    public required WeightMatrix Output { get; init; }         // (vocab, d); the token embedding when tied
    public float[]? RopeFrequencyFactors { get; init; }        // (rotary / 2), GGUF rope_freqs (Llama 3 scaling baked in)
}
