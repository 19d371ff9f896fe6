namespace NextToken.Models;

/// <summary>
/// One sequence being decoded: its tokens so far and their KV cache. Feed tokens with <see cref="Forward"/>;
/// roll back with <see cref="Truncate"/>; fork with <see cref="Clone"/>.
/// </summary>
public abstract class InferenceSession : IDisposable
{
    private readonly List<int> _tokens = [];

    protected InferenceSession(LanguageModel model, int maxLength)
    {
        Model = model;
        MaxLength = maxLength;
    }

    public LanguageModel Model { get; }

    /// <summary>Most tokens this session can hold.</summary>
    public int MaxLength { get; }

    /// <summary>Tokens in the cache.</summary>
    public int Length => _tokens.Count;

    /// <summary>The tokens fed so far.</summary>
    public IReadOnlyList<int> Tokens => _tokens;

    /// <summary>Feeds <paramref name="tokens"/> after those already in the cache and returns their logits.</summary>
    /// <exception cref="ArgumentException">No tokens, an id outside the vocabulary, or more tokens than fit.</exception>
    public ForwardResult Forward(ReadOnlySpan<int> tokens, ForwardOptions? options = null)
    {
        if (tokens.IsEmpty) throw new ArgumentException("at least one token is needed", nameof(tokens));
        var vocabulary = Model.Info.VocabularySize;
        foreach (var id in tokens)
            if ((uint)id >= (uint)vocabulary)
                throw new ArgumentException($"token id {id} is outside the vocabulary (0..{vocabulary - 1})", nameof(tokens));
        if (Length + tokens.Length > MaxLength)
            throw new ArgumentException($"{Length} + {tokens.Length} tokens exceed this session's maximum length {MaxLength}", nameof(tokens));
        var result = ForwardCore(tokens, options ?? ForwardOptions.LastLogits);
        _tokens.AddRange(tokens);
        return result;
    }

    /// <summary>Forgets every token from position <paramref name="length"/> on.</summary>
    public void Truncate(int length)
    {
        if ((uint)length > (uint)Length) throw new ArgumentOutOfRangeException(nameof(length), length, $"the session holds {Length} tokens");
        TruncateCore(length);
        _tokens.RemoveRange(length, Length - length);
    }

    /// <summary>An independent copy of this sequence and its cache.</summary>
    public InferenceSession Clone()
    {
        var copy = CloneCore();
        copy._tokens.AddRange(_tokens);
        return copy;
    }

    /// <summary>Computes the new tokens at positions Length.. and appends them to the cache.</summary>
    protected abstract ForwardResult ForwardCore(ReadOnlySpan<int> tokens, ForwardOptions options);

    /// <summary>Drops cache entries from <paramref name="length"/> on.</summary>
    protected abstract void TruncateCore(int length);

    /// <summary>Copies the cache into a new session (tokens are copied by the caller).</summary>
    protected abstract InferenceSession CloneCore();

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
