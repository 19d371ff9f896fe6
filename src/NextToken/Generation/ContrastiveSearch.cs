using NextToken.Generation.Processing;
using NextToken.Models;

namespace NextToken.Generation;

/// <summary>
/// Contrastive search (Su et al. 2022, Hugging Face's <c>penalty_alpha</c> with <c>top_k</c>): among the k most probable
/// next tokens, pick the one maximising (1 − α)·p(v) − α·max_j cos(h_v, h_j), where h_v is the candidate's last hidden
/// state (after the final norm) and h_j are those of every earlier position, prompt included.
/// Each candidate is tried by feeding it and rolling the session back (<see cref="InferenceSession.Truncate"/>), so no
/// cache is copied; the winner is fed again unless it was the last one tried.
/// </summary>
internal static class ContrastiveSearch
{
    private static readonly ForwardOptions WithHidden = new() { HiddenStates = true };

    public static IEnumerable<DecodingStep> Steps(InferenceSession session, IReadOnlyList<int> promptIds, LogitsProcessor processors, int topK, float alpha, bool keepRawLogits)
    {
        var tokens = new List<int>(promptIds);
        var context = new DecodingContext(tokens, promptIds.Count);
        var width = session.Model.Info.EmbeddingLength;
        var result = session.Forward([.. promptIds], WithHidden);
        var history = new List<float[]>();
        AddRows(history, LastHidden(result), width);
        var logits = result.LastLogits.ToArray();
        while (true)
        {
            var candidates = CandidateSet.FromLogits(logits);
            processors.Apply(candidates, context);
            candidates.EnsureProbabilities();
            var ranked = candidates.Copy();
            ranked.Sort();
            var k = Math.Min(topK, ranked.Count);
            var length = session.Length;
            var bestIndex = -1;
            var bestScore = double.NegativeInfinity;
            float[]? bestLogits = null, bestHidden = null;
            var lastTried = -1;
            for (var i = 0; i < k; i++)
            {
                var probability = ranked.Probabilities[i];
                if (probability <= 0) break;
                if (session.Length > length) session.Truncate(length);
                var tried = session.Forward([ranked.Ids[i]], WithHidden);
                lastTried = i;
                var hidden = LastHidden(tried);
                var degeneration = history.Max(h => Cosine(hidden, h));
                var score = (1 - alpha) * probability - alpha * degeneration;
                if (score > bestScore)
                {
                    bestScore = score;
                    bestIndex = i;
                    bestLogits = tried.LastLogits.ToArray();
                    bestHidden = hidden;
                }
            }
            var token = ranked.Ids[bestIndex];
            if (lastTried != bestIndex)
            {
                session.Truncate(length);
                session.Forward([token]);
            }
            processors.Accept(token);
            tokens.Add(token);
            history.Add(bestHidden!);
            yield return new DecodingStep(token, keepRawLogits ? logits : null, candidates);
            logits = bestLogits!;
        }
    }

    private static float[] LastHidden(ForwardResult result)
    {
        var states = result.HiddenStates ?? throw new InvalidOperationException("the model returned no hidden states; contrastive search needs them");
        return states[^1];
    }

    private static void AddRows(List<float[]> history, float[] rows, int width)
    {
        for (var start = 0; start + width <= rows.Length; start += width) history.Add(rows[start..(start + width)]);
    }

    internal static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var n = Math.Min(a.Length, b.Length);
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < n; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        var denominator = Math.Sqrt(na) * Math.Sqrt(nb);
        return denominator == 0 ? 0 : dot / denominator;
    }
}
