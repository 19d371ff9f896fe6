using NextToken.Generation.Processing;
using NextToken.Models;
using NextToken.Tokenizers;

namespace NextToken.Generation;

/// <summary>
/// Beam search as Hugging Face runs it. Each step takes log-softmax of every beam's logits, applies the processors to
/// those log-probabilities, adds the beam's running sum, and keeps the best 2·num_beams continuations over all beams.
/// In that order, a continuation ending with an end-of-sequence token becomes a finished hypothesis (when it ranks
/// among the first num_beams), scored sum_logprobs / generated_length^length_penalty (the end token counted); the
/// others fill the num_beams running beams. At most num_beams hypotheses are kept. <c>early_stopping</c> decides when
/// the search ends (see <see cref="EarlyStopping"/>); at the length limit the running beams join the hypotheses.
/// Unlike Hugging Face, which starts with num_beams copies of the prompt (all but one scored −1e9), the search starts
/// from one beam and widens as continuations appear, which gives the same result without the dummy beams.
/// Every beam owns an <see cref="InferenceSession"/>: the first child of a beam inherits its session, further children
/// get a <see cref="InferenceSession.Clone"/> of it, and dropped beams are disposed.
/// </summary>
internal sealed class BeamSearch
{
    private sealed class Beam(InferenceSession session, List<int> tokens, double sumLogProbs, float[] logits, List<float> tokenLogProbs)
    {
        public InferenceSession Session = session;
        public readonly List<int> Tokens = tokens;
        public readonly double SumLogProbs = sumLogProbs;
        public float[] Logits = logits;
        public readonly List<float> TokenLogProbs = tokenLogProbs;
    }

    private sealed record Hypothesis(int[] Tokens, double Score, FinishReason Finish, float[] TokenLogProbs);

    private readonly GenerationOptions _options;
    private readonly LogitsProcessor _processors;
    private readonly HashSet<int> _eos;
    private readonly List<Hypothesis> _finished = [];

    public BeamSearch(GenerationOptions options, LogitsProcessor processors, IReadOnlyList<int> eosTokenIds)
    {
        _options = options;
        _processors = processors;
        _eos = [.. eosTokenIds];
    }

    public GenerationResult Run(LanguageModel model, IReadOnlyList<int> promptIds, int limit, CancellationToken cancellationToken)
    {
        var numBeams = _options.NumBeams;
        var root = model.CreateSession();
        var first = root.Forward([.. promptIds]);
        var beams = new List<Beam> { new(root, [], 0, first.LastLogits.ToArray(), []) };
        var done = false;
        var cancelled = false;
        try
        {
            for (var step = 0; step < limit && !done; step++)
            {
                if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
                var ranked = RankContinuations(beams, promptIds, 2 * numBeams);
                var next = new List<(Beam Parent, int Token, double Sum, float LogProb)>();
                for (var rank = 0; rank < ranked.Count && next.Count < numBeams; rank++)
                {
                    var (parent, token, sum, logProb) = ranked[rank];
                    if (_eos.Contains(token))
                    {
                        if (rank >= numBeams) continue;
                        AddHypothesis([.. parent.Tokens, token], sum, FinishReason.Eos, [.. parent.TokenLogProbs, logProb]);
                    }
                    else next.Add((parent, token, sum, logProb));
                }
                var generatedLength = step + 1;
                done = next.Count == 0 || IsDone(ranked.Count > 0 ? ranked[0].Sum : double.NegativeInfinity, generatedLength, limit);
                if (done) break;
                beams = Advance(beams, next, feed: step + 1 < limit);
            }
            if (!done)
                foreach (var beam in beams)
                    AddHypothesis([.. beam.Tokens], beam.SumLogProbs, cancelled ? FinishReason.Cancelled : FinishReason.Length, [.. beam.TokenLogProbs]);
        }
        finally
        {
            foreach (var beam in beams) beam.Session.Dispose();
        }
        return ToResult(model.Tokenizer, promptIds);
    }

    /// <summary>The best continuations over all beams: (beam, token, running sum, processed log-probability).</summary>
    private List<(Beam Parent, int Token, double Sum, float LogProb)> RankContinuations(List<Beam> beams, IReadOnlyList<int> promptIds, int count)
    {
        var all = new List<(Beam Parent, int Token, double Sum, float LogProb)>();
        foreach (var beam in beams)
        {
            var candidates = CandidateSet.FromLogits(LogSoftmax(beam.Logits));
            var context = new DecodingContext([.. promptIds, .. beam.Tokens], promptIds.Count);
            _processors.Apply(candidates, context);
            candidates.Sort();
            var take = Math.Min(count, candidates.Count);
            for (var i = 0; i < take; i++)
            {
                var score = candidates.Logits[i];
                if (float.IsNegativeInfinity(score)) break;
                all.Add((beam, candidates.Ids[i], beam.SumLogProbs + score, score));
            }
        }
        // Stable: equal sums keep beam order, then token order.
        return [.. all.OrderByDescending(c => c.Sum).Take(count)];
    }

    private static List<Beam> Advance(List<Beam> beams, List<(Beam Parent, int Token, double Sum, float LogProb)> next, bool feed)
    {
        var inherited = new HashSet<Beam>();
        var children = new List<Beam>();
        foreach (var (parent, token, sum, logProb) in next)
        {
            var session = inherited.Add(parent) ? parent.Session : parent.Session.Clone();
            children.Add(new Beam(session, [.. parent.Tokens, token], sum, parent.Logits, [.. parent.TokenLogProbs, logProb]));
        }
        // Clones are taken before any child feeds its token, so every clone copies the parent's untouched cache.
        foreach (var beam in beams)
            if (!inherited.Contains(beam)) beam.Session.Dispose();
        if (feed)
            foreach (var child in children)
                child.Logits = child.Session.Forward([child.Tokens[^1]]).LastLogits.ToArray();
        return children;
    }

    private void AddHypothesis(int[] tokens, double sumLogProbs, FinishReason finish, float[] tokenLogProbs)
    {
        var score = sumLogProbs / Math.Pow(Math.Max(1, tokens.Length), _options.LengthPenalty);
        if (_finished.Count < _options.NumBeams || score > _finished.Min(h => h.Score))
        {
            _finished.Add(new Hypothesis(tokens, score, finish, tokenLogProbs));
            if (_finished.Count > _options.NumBeams)
                _finished.Remove(_finished.MinBy(h => h.Score)!);
        }
    }

    private bool IsDone(double bestSumLogProbs, int generatedLength, int limit)
    {
        if (_finished.Count < _options.NumBeams) return false;
        var worst = _finished.Min(h => h.Score);
        var lengthPenalty = _options.LengthPenalty;
        switch (_options.EarlyStopping)
        {
            case EarlyStopping.True:
                return true;
            case EarlyStopping.Heuristic:
                return worst >= bestSumLogProbs / Math.Pow(generatedLength, lengthPenalty);
            default:
                var length = lengthPenalty > 0 ? limit : generatedLength;
                return worst >= bestSumLogProbs / Math.Pow(length, lengthPenalty);
        }
    }

    private GenerationResult ToResult(Tokenizer tokenizer, IReadOnlyList<int> promptIds)
    {
        var ordered = _finished.OrderByDescending(h => h.Score).Take(_options.NumReturnSequences).ToArray();
        var sequences = new List<GeneratedSequence>();
        var tokensOfBest = new List<GeneratedToken>();
        foreach (var hypothesis in ordered)
        {
            var matcher = new StopStringMatcher(tokenizer, promptIds, _options.StopStrings, _options.SkipSpecialTokens);
            var text = new System.Text.StringBuilder();
            var finish = hypothesis.Finish;
            var ids = new List<int>();
            for (var i = 0; i < hypothesis.Tokens.Length; i++)
            {
                var id = hypothesis.Tokens[i];
                ids.Add(id);
                var isEos = _eos.Contains(id);
                var piece = isEos ? matcher.Finish() : matcher.Append(id);
                var last = isEos || matcher.Stopped || i == hypothesis.Tokens.Length - 1;
                if (last && !isEos && !matcher.Stopped) piece += matcher.Finish();
                if (matcher.Stopped) finish = FinishReason.Stop;
                text.Append(piece);
                if (sequences.Count == 0)
                    tokensOfBest.Add(new GeneratedToken
                    {
                        Id = id,
                        Index = i,
                        Text = piece,
                        Probability = MathF.Exp(hypothesis.TokenLogProbs[i]),
                        FinishReason = last ? finish : null,
                    });
                if (last) break;
            }
            sequences.Add(new GeneratedSequence(text.ToString(), ids, finish, hypothesis.Score));
        }
        var best = sequences[0];
        return new GenerationResult
        {
            Text = best.Text,
            TokenIds = best.TokenIds,
            FinishReason = best.FinishReason,
            PromptIds = promptIds,
            Tokens = tokensOfBest,
            Sequences = sequences,
        };
    }

    internal static float[] LogSoftmax(ReadOnlySpan<float> logits)
    {
        var max = float.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (var v in logits) sum += Math.Exp((double)v - max);
        var logSum = max + Math.Log(sum);
        var result = new float[logits.Length];
        for (var i = 0; i < logits.Length; i++) result[i] = (float)(logits[i] - logSum);
        return result;
    }
}
