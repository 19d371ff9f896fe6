using System.Text;
using NextToken.Generation.Processing;
using NextToken.Tokenizers;

namespace NextToken.Generation;

/// <summary>One token chosen by a strategy: the token, the raw logits it came from, and the processed distribution.</summary>
internal sealed record DecodingStep(int Token, float[]? RawLogits, CandidateSet Distribution);

/// <summary>
/// What every token-by-token strategy shares: turning chosen tokens into <see cref="GeneratedToken"/>s with their text,
/// and stopping on end-of-sequence, stop strings, the token limit or cancellation.
/// </summary>
internal sealed class DecodingLoop
{
    private readonly Tokenizer _tokenizer;
    private readonly GenerationOptions _options;
    private readonly HashSet<int> _eos;
    private readonly StopStringMatcher _matcher;
    private readonly int _limit;
    private readonly StringBuilder _text = new();

    /// <summary>Prepares a run of at most <paramref name="limit"/> tokens (<c>max_new_tokens</c>, or less where the context runs out).</summary>
    public DecodingLoop(Tokenizer tokenizer, IReadOnlyList<int> promptIds, GenerationOptions options, IReadOnlyList<int> eosTokenIds, int limit)
    {
        _tokenizer = tokenizer;
        _options = options;
        _eos = [.. eosTokenIds];
        _matcher = new StopStringMatcher(tokenizer, promptIds, options.StopStrings, options.SkipSpecialTokens);
        _limit = Math.Max(0, limit);
        PromptIds = promptIds;
    }

    public IReadOnlyList<int> PromptIds { get; }
    public List<int> Ids { get; } = [];
    public List<GeneratedToken> Tokens { get; } = [];
    public FinishReason? Finish { get; private set; }
    public double SumLogProbability { get; private set; }

    /// <summary>Pulls steps until a stop condition. On cancellation it ends quietly with <see cref="Finish"/> = Cancelled.</summary>
    public IEnumerable<GeneratedToken> Run(IEnumerable<DecodingStep> steps, CancellationToken cancellationToken)
    {
        if (_limit == 0)
        {
            Finish = FinishReason.Length;
            yield break;
        }
        using var source = steps.GetEnumerator();
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Finish = FinishReason.Cancelled;
                _text.Append(_matcher.Finish());
                yield break;
            }
            if (!source.MoveNext()) throw new InvalidOperationException("the decoding strategy ended before the token limit");
            var step = source.Current;
            var token = Describe(step);
            Tokens.Add(token);
            Ids.Add(token.Id);
            SumLogProbability += token.LogProbability;
            _text.Append(token.Text);
            yield return token;
            if (token.FinishReason is not null)
            {
                Finish = token.FinishReason;
                yield break;
            }
        }
    }

    /// <summary>The result after <see cref="Run"/> has ended.</summary>
    public GenerationResult ToResult(SpeculativeStatistics? speculation = null)
    {
        var finish = Finish ?? throw new InvalidOperationException("generation has not finished");
        var text = _text.ToString();
        return new GenerationResult
        {
            Text = text,
            TokenIds = Ids.ToArray(),
            FinishReason = finish,
            PromptIds = PromptIds,
            Tokens = Tokens.ToArray(),
            Sequences = [new GeneratedSequence(text, Ids.ToArray(), finish, SumLogProbability)],
            Speculation = speculation,
        };
    }

    private GeneratedToken Describe(DecodingStep step)
    {
        var id = step.Token;
        string text;
        FinishReason? finish = null;
        if (_eos.Contains(id))
        {
            text = _matcher.Finish();
            finish = FinishReason.Eos;
        }
        else
        {
            text = _matcher.Append(id);
            if (_matcher.Stopped) finish = FinishReason.Stop;
            else if (Ids.Count + 1 >= _limit)
            {
                text += _matcher.Finish();
                finish = _matcher.Stopped ? FinishReason.Stop : FinishReason.Length;
            }
        }
        var distribution = step.Distribution;
        distribution.EnsureProbabilities();
        var index = distribution.IndexOf(id);
        return new GeneratedToken
        {
            Id = id,
            Index = Ids.Count,
            Text = text,
            Probability = index < 0 ? 0f : distribution.Probabilities[index],
            Alternatives = _options.TopAlternatives > 0 ? TopAlternatives(distribution, _options.TopAlternatives, _tokenizer) : null,
            Logits = _options.ReturnLogits ? step.RawLogits : null,
            Scores = _options.ReturnScores ? distribution.ToLogitsRow() : null,
            FinishReason = finish,
        };
    }

    /// <summary>The <paramref name="count"/> most probable candidates, best first.</summary>
    internal static TokenAlternative[] TopAlternatives(CandidateSet distribution, int count, Tokenizer tokenizer)
    {
        var sorted = distribution.Copy();
        sorted.Sort();
        sorted.EnsureProbabilities();
        var n = Math.Min(count, sorted.Count);
        var alternatives = new TokenAlternative[n];
        for (var i = 0; i < n; i++)
        {
            var altId = sorted.Ids[i];
            alternatives[i] = new TokenAlternative(altId, altId < tokenizer.VocabularySize ? tokenizer.TokenToPiece(altId) : $"<{altId}>", sorted.Probabilities[i]);
        }
        return alternatives;
    }
}
