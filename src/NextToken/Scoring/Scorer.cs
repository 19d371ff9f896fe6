using NextToken.Models;
using NextToken.Tokenizers;

namespace NextToken.Scoring;

/// <summary>
/// Scores text with a model: negative log-likelihood (NLL, natural log), conditional NLL of a continuation, per-token
/// log-probabilities with ranks, and sliding-window perplexity.
/// <para>
/// A text is encoded without special tokens, then the tokenizer's BOS is put first when it adds one
/// (<see cref="Tokenizer.AddsBosToken"/>). Every token after the first is scored given the tokens before it, so with
/// BOS every token of the text is scored, and without BOS (GPT-2) the first text token is not.
/// </para>
/// <para>
/// Conditional scoring joins context and continuation with a separator (a space by default) and tokenizes the joined
/// text once; the continuation is the joined text's tokens after the longest prefix they share with the context's own
/// tokens. When the context's tokens are such a prefix (the usual case when the separator is a space), this makes
/// <c>ConditionalNll(a, b) == Nll(a + " " + b) − Nll(a)</c> exactly. When the tokenizer merges a token across the
/// boundary, the merged token and everything after it count as continuation (<see cref="ContinuationSplit.ContextMerged"/>
/// reports it).
/// </para>
/// Batched calls score every text in its own session, exactly as one-by-one calls do, so both give identical numbers.
/// </summary>
/// <example><code>
/// var scorer = new Scorer(model);
/// double nll = scorer.Nll("The capital of France is Paris.");
/// double cond = scorer.ConditionalNll("The capital of France is", "Paris.");
/// </code></example>
public sealed class Scorer
{
    public Scorer(LanguageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    public LanguageModel Model { get; }

    private Tokenizer Tokenizer => Model.Tokenizer;

    /// <summary>The ids a text is scored as: BOS (when the tokenizer adds one) followed by the text's tokens.</summary>
    public int[] EncodeForScoring(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = Tokenizer.Encode(text, addSpecialTokens: false);
        return Tokenizer.AddsBosToken && Tokenizer.BosTokenId is { } bos ? [bos, .. ids] : ids;
    }

    /// <summary>Sum of −log p(token | tokens before) over every token after the first (see the type's remarks).</summary>
    public double Nll(string text) => Sum(ScoreIds(EncodeForScoring(text), 1, "text"));

    /// <summary><see cref="Nll(string)"/> of each text.</summary>
    public double[] Nll(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return [.. texts.Select(Nll)];
    }

    /// <summary>How <see cref="ConditionalNll(string, string, string)"/> tokenizes a context and continuation.</summary>
    public ContinuationSplit SplitContinuation(string context, string continuation, string separator = " ")
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(separator);
        var contextIds = EncodeForScoring(context);
        var joined = EncodeForScoring(context + separator + continuation);
        var shared = 0;
        while (shared < contextIds.Length && shared < joined.Length && contextIds[shared] == joined[shared]) shared++;
        return new ContinuationSplit(joined, shared, shared < contextIds.Length);
    }

    /// <summary>−log p(continuation | context): the sum over the continuation's tokens (see the type's remarks).</summary>
    /// <param name="context">The conditioning text.</param>
    /// <param name="continuation">The text scored after it.</param>
    /// <param name="separator">Put between them; pass "" when the continuation carries its own leading space.</param>
    public double ConditionalNll(string context, string continuation, string separator = " ")
    {
        var split = SplitContinuation(context, continuation, separator);
        return Sum(ScoreIds(split.Ids, Math.Max(1, split.ContinuationStart), nameof(continuation)));
    }

    /// <summary><see cref="ConditionalNll(string, string, string)"/> of each (context, continuation) pair.</summary>
    public double[] ConditionalNll(IReadOnlyList<(string Context, string Continuation)> pairs, string separator = " ")
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return [.. pairs.Select(p => ConditionalNll(p.Context, p.Continuation, separator))];
    }

    /// <summary>Every scored token of the text with its log-probability and rank.</summary>
    public IReadOnlyList<TokenScore> TokenLogProbabilities(string text) => ScoreIds(EncodeForScoring(text), 1, nameof(text));

    /// <summary>Every token of <paramref name="ids"/> from <paramref name="firstScored"/> on, scored after the ids before it (fed as given).</summary>
    public IReadOnlyList<TokenScore> TokenLogProbabilities(IReadOnlyList<int> ids, int firstScored = 1)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (firstScored < 1) throw new ArgumentOutOfRangeException(nameof(firstScored), firstScored, "the first token has nothing before it; scoring starts at 1 or later");
        return ScoreIds([.. ids], firstScored, nameof(ids));
    }

    /// <summary>
    /// Perplexity over a text of any length with Hugging Face's sliding-window recipe: windows of
    /// <paramref name="maxLength"/> tokens start every <paramref name="stride"/> tokens; each window scores only the
    /// tokens no earlier window scored, with the overlap as context. Every token but the first is scored exactly once.
    /// </summary>
    /// <param name="text">The text (BOS first when the tokenizer adds one, as everywhere in <see cref="Scorer"/>).</param>
    /// <param name="maxLength">Window length; 0 means the model's context length.</param>
    /// <param name="stride">Step between window starts, 1..maxLength; 0 means half the window.</param>
    public PerplexityResult Perplexity(string text, int maxLength = 0, int stride = 0)
    {
        if (maxLength < 0 || maxLength == 1) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "the window must hold at least 2 tokens (0: the model's context length)");
        if (maxLength > Model.Info.ContextLength) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"the window cannot exceed the model's context length {Model.Info.ContextLength}");
        if (maxLength == 0) maxLength = Model.Info.ContextLength;
        if (stride < 0 || stride > maxLength) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"stride must be in 1..{maxLength} (0: half the window)");
        if (stride == 0) stride = Math.Max(1, maxLength / 2);
        var ids = EncodeForScoring(text);
        double nll = 0;
        var scored = 0;
        var windows = 0;
        var previousEnd = 0;
        for (var begin = 0; begin < ids.Length; begin += stride)
        {
            var end = Math.Min(begin + maxLength, ids.Length);
            var targets = end - previousEnd;
            var window = ids[begin..end];
            var first = Math.Max(1, window.Length - targets);
            if (first < window.Length)
            {
                var scores = ScoreIds(window, first, nameof(text));
                nll -= scores.Sum(s => s.LogProbability);
                scored += scores.Length;
                windows++;
            }
            previousEnd = end;
            if (end == ids.Length) break;
        }
        return new PerplexityResult(scored == 0 ? double.NaN : Math.Exp(nll / scored), nll, scored, windows);
    }

    private TokenScore[] ScoreIds(int[] ids, int firstScored, string parameterName)
    {
        if (firstScored >= ids.Length) return [];
        if (ids.Length > Model.Info.ContextLength)
            throw new ArgumentException($"the text has {ids.Length} tokens but the model's context holds {Model.Info.ContextLength}; use Perplexity for long texts", parameterName);
        using var session = Model.CreateSession();
        var result = session.Forward(ids, ForwardOptions.AllLogits);
        var scores = new TokenScore[ids.Length - firstScored];
        for (var position = firstScored; position < ids.Length; position++)
        {
            var row = result.LogitsAt(position - 1);
            var id = ids[position];
            scores[position - firstScored] = new TokenScore(position, id, Tokenizer.TokenToPiece(id), LogProbability(row, id), Rank(row, id));
        }
        return scores;
    }

    private static double Sum(IReadOnlyList<TokenScore> scores)
    {
        double nll = 0;
        foreach (var score in scores) nll -= score.LogProbability;
        return nll;
    }

    /// <summary>log softmax(row)[id], in double precision.</summary>
    internal static double LogProbability(ReadOnlySpan<float> row, int id)
    {
        var max = float.NegativeInfinity;
        foreach (var v in row) max = Math.Max(max, v);
        double sum = 0;
        foreach (var v in row) sum += Math.Exp((double)v - max);
        return row[id] - max - Math.Log(sum);
    }

    private static int Rank(ReadOnlySpan<float> row, int id)
    {
        var rank = 1;
        var value = row[id];
        foreach (var v in row)
            if (v > value) rank++;
        return rank;
    }
}
