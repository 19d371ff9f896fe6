using NextToken.Models;
using NextToken.Tokenizers;

namespace NextToken.Tests.Generation.Fakes;

/// <summary>
/// A deterministic stand-in for a language model: the logits at a position are a hand-set function of the tokens up to
/// and including it, and the hidden state (the last entry of <c>HiddenStates</c>) another such function.
/// </summary>
internal sealed class FakeModel : LanguageModel
{
    private readonly Func<IReadOnlyList<int>, float[]> _logits;
    private readonly Func<IReadOnlyList<int>, float[]> _hidden;

    public FakeModel(Tokenizer tokenizer, int vocabularySize, Func<IReadOnlyList<int>, float[]> logits,
        Func<IReadOnlyList<int>, float[]>? hidden = null, int contextLength = 64, int embeddingLength = 4, string name = "fake")
        : base(tokenizer)
    {
        _logits = logits;
        _hidden = hidden ?? (history => HashedVector(history, embeddingLength, 99));
        Info = new ModelInfo
        {
            Architecture = "fake", VocabularySize = vocabularySize, ContextLength = contextLength, EmbeddingLength = embeddingLength,
            LayerCount = 1, HeadCount = 1, KvHeadCount = 1, FeedForwardLength = 1, Path = name, Format = "test",
        };
    }

    public override ModelInfo Info { get; }

    /// <summary>Forward passes run so far (all sessions).</summary>
    public int ForwardCalls { get; private set; }

    public override InferenceSession CreateSession(int maxLength = 0) => new FakeSession(this, maxLength == 0 ? Info.ContextLength : maxLength);

    public override float[] Embed(ReadOnlySpan<int> ids) => new float[ids.Length * Info.EmbeddingLength];

    /// <summary>Logits that depend on the last <paramref name="order"/> tokens through a hash (a random but fixed n-gram model).</summary>
    public static FakeModel Random(Tokenizer tokenizer, int vocabularySize, int seed, int order = 2, float scale = 3f, int contextLength = 64) =>
        new(tokenizer, vocabularySize, history => HashedVector(Last(history, order), vocabularySize, seed, scale), contextLength: contextLength);

    public static IReadOnlyList<int> Last(IReadOnlyList<int> history, int count) => history.Skip(Math.Max(0, history.Count - count)).ToArray();

    /// <summary>A fixed pseudo-random vector in [-scale, scale) for a token sequence.</summary>
    public static float[] HashedVector(IReadOnlyList<int> tokens, int length, int seed, float scale = 1f)
    {
        var hash = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + 1;
        foreach (var t in tokens) hash = (hash ^ (ulong)(t + 1)) * 0xBF58476D1CE4E5B9UL;
        var result = new float[length];
        for (var i = 0; i < length; i++)
        {
            hash ^= hash >> 31;
            hash *= 0x94D049BB133111EBUL;
            hash ^= hash >> 29;
            result[i] = (float)((hash >> 40) / (double)(1UL << 24) * 2 - 1) * scale;
        }
        return result;
    }

    private sealed class FakeSession(FakeModel model, int maxLength) : InferenceSession(model, maxLength)
    {
        private readonly FakeModel _model = model;

        protected override ForwardResult ForwardCore(ReadOnlySpan<int> tokens, ForwardOptions options)
        {
            _model.ForwardCalls++;
            var vocabulary = _model.Info.VocabularySize;
            var width = _model.Info.EmbeddingLength;
            var history = new List<int>(Tokens);
            var rows = new List<float[]>();
            var hidden = new List<float[]>();
            foreach (var token in tokens)
            {
                history.Add(token);
                rows.Add(_model._logits(history));
                if (options.HiddenStates) hidden.Add(_model._hidden(history));
            }
            var logits = options.AllPositions ? rows.SelectMany(r => r).ToArray() : rows[^1];
            IReadOnlyList<float[]>? states = options.HiddenStates
                ? [new float[tokens.Length * width], hidden.SelectMany(h => h).ToArray()]
                : null;
            if (logits.Length % vocabulary != 0) throw new InvalidOperationException("fake logits must have one entry per token");
            return new ForwardResult(tokens.Length, vocabulary, logits, states);
        }

        protected override void TruncateCore(int length) { }

        protected override InferenceSession CloneCore() => new FakeSession(_model, MaxLength);
    }
}
