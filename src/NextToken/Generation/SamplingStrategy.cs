using NextToken.Generation.Processing;
using NextToken.Models;

namespace NextToken.Generation;

/// <summary>Greedy decoding and multinomial sampling: one forward per token, processors, then the sampler picks.</summary>
internal static class SamplingStrategy
{
    public static IEnumerable<DecodingStep> Steps(InferenceSession session, IReadOnlyList<int> promptIds, LogitsProcessor processors, LogitsProcessor sampler, bool keepRawLogits)
    {
        var tokens = new List<int>(promptIds);
        var context = new DecodingContext(tokens, promptIds.Count);
        int[] pending = [.. promptIds];
        while (true)
        {
            var result = session.Forward(pending);
            var raw = result.LastLogits;
            var candidates = CandidateSet.FromLogits(raw);
            processors.Apply(candidates, context);
            sampler.Apply(candidates, context);
            var token = candidates.SelectedId;
            processors.Accept(token);
            sampler.Accept(token);
            candidates.EnsureProbabilities();
            tokens.Add(token);
            yield return new DecodingStep(token, keepRawLogits ? raw.ToArray() : null, candidates);
            pending = [token];
        }
    }
}
