using NextToken.Tokenizers;

namespace NextToken.Models;

/// <summary>
/// A loaded causal language model and its tokenizer. The weights are immutable; everything that changes while
/// decoding lives in an <see cref="InferenceSession"/>, one per sequence, so beams, experts and draft models
/// share one loaded model.
/// </summary>
/// <example><code>
/// using var model = LanguageModel.Load("stories260K.gguf");
/// using var session = model.CreateSession();
/// var result = session.Forward(model.Tokenizer.Encode("Once upon a time", addSpecialTokens: true));
/// ReadOnlySpan&lt;float&gt; next = result.LastLogits;
/// </code></example>
public abstract partial class LanguageModel : IDisposable
{
    private readonly Lazy<Tokenizer> _tokenizer;

    protected LanguageModel(Tokenizer tokenizer) => _tokenizer = new Lazy<Tokenizer>(tokenizer);

    /// <summary>A model whose tokenizer is built on first use (loading weights does not wait for the vocabulary).</summary>
    protected LanguageModel(Func<Tokenizer> tokenizerFactory) => _tokenizer = new Lazy<Tokenizer>(tokenizerFactory);

    /// <summary>The tokenizer that came with the model.</summary>
    public Tokenizer Tokenizer => _tokenizer.Value;

    /// <summary>The model's <c>generation_config.json</c> defaults, when it came with one.</summary>
    public GenerationDefaults? GenerationDefaults { get; protected init; }

    /// <summary>Architecture and sizes.</summary>
    public abstract ModelInfo Info { get; }

    /// <summary>Starts a new sequence with an empty KV cache of up to <paramref name="maxLength"/> tokens (0: the model's context length).</summary>
    public abstract InferenceSession CreateSession(int maxLength = 0);

    /// <summary>The input embeddings of <paramref name="ids"/>: [ids.Length, EmbeddingLength], as <c>get_input_embeddings()(ids)</c>.</summary>
    public abstract float[] Embed(ReadOnlySpan<int> ids);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) { }
}
