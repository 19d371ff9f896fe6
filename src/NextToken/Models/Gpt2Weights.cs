using NextToken.Numerics;

namespace NextToken.Models;

/// <summary>One GPT-2 block's weights. d = embedding length, f = feed-forward length.</summary>
internal sealed class Gpt2LayerWeights
{
    public required float[] AttentionNormWeight { get; init; }  // (d)  ln_1
    public required float[] AttentionNormBias { get; init; }    // (d)
    public required WeightMatrix QueryKeyValue { get; init; }   // (3d, d)  c_attn: q, k, v stacked
    public required float[] QueryKeyValueBias { get; init; }    // (3d)
    public required WeightMatrix AttentionOutput { get; init; } // (d, d)  c_proj
    public required float[] AttentionOutputBias { get; init; }  // (d)
    public required float[] FeedForwardNormWeight { get; init; } // (d) ln_2
    public required float[] FeedForwardNormBias { get; init; }  // (d)
    public required WeightMatrix Up { get; init; }              // (f, d)  c_fc
    public required float[] UpBias { get; init; }               // (f)
    public required WeightMatrix Down { get; init; }            // (d, f)  mlp.c_proj
    public required float[] DownBias { get; init; }             // (d)
}

/// <summary>The weights of a GPT-2 model. Immutable once loaded.</summary>
internal sealed class Gpt2Weights
{
    public required WeightMatrix TokenEmbedding { get; init; }  // (vocab, d)  wte
    public required float[] PositionEmbedding { get; init; }    // (context, d)  wpe
    public required Gpt2LayerWeights[] Layers { get; init; }
    public required float[] OutputNormWeight { get; init; }     // (d)  ln_f
    public required float[] OutputNormBias { get; init; }       // (d)
    public required WeightMatrix Output { get; init; }          // (vocab, d); wte when tied
}
