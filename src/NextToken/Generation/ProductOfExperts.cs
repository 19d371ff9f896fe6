using System.Runtime.CompilerServices;
using NextToken.Generation.Processing;
using NextToken.Models;
using NextToken.Tokenizers;

namespace NextToken.Generation;

/// <summary>
/// Decodes from a product of experts: the next token is drawn from softmax(Σᵢ wᵢ · log_softmax(logitsᵢ)), where each
/// expert reads its own prompt with its own session, then the generation options' processors and sampler are applied to
/// the combined scores. The chosen token is fed to every expert. Experts may be different models as long as they share
/// a tokenizer (same vocabulary size and the same ids for every expert's prompt). Greedy decoding and sampling only.
/// Processors that look at the sequence (repetition penalty, n-grams…) see the first expert's prompt followed by the
/// generated tokens, and the streamed text is decoded after that prompt.
/// </summary>
/// <example><code>
/// var poe = new ProductOfExperts([new Expert(model, "A story about a dog:"), new Expert(model, "A sad story:", 0.5f)]);
/// var result = poe.Generate(new GenerationOptions { MaxNewTokens = 40 });
/// </code></example>
public sealed class ProductOfExperts
{
    private readonly Expert[] _experts;

    /// <exception cref="ArgumentException">No experts, a non-finite weight, or experts whose tokenizers disagree.</exception>
    public ProductOfExperts(IReadOnlyList<Expert> experts)
    {
        ArgumentNullException.ThrowIfNull(experts);
        if (experts.Count == 0) throw new ArgumentException("at least one expert is needed", nameof(experts));
        _experts = [.. experts];
        for (var i = 0; i < _experts.Length; i++)
        {
            var expert = _experts[i] ?? throw new ArgumentNullException($"experts[{i}]");
            if (expert.Model is null) throw new ArgumentNullException($"experts[{i}].Model");
            if (expert.Prompt is null) throw new ArgumentNullException($"experts[{i}].Prompt");
            if (!float.IsFinite(expert.Weight)) throw new ArgumentException($"expert {i} has weight {expert.Weight}; weights must be finite", $"experts[{i}].Weight");
        }
        CheckSharedTokenizer();
    }

    public IReadOnlyList<Expert> Experts => _experts;

    /// <summary>Generates and returns the whole result.</summary>
    public GenerationResult Generate(GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (loop, steps, sessions) = Start(options ?? GenerationOptions.Default);
        try
        {
            foreach (var _ in loop.Run(steps, cancellationToken)) { }
        }
        finally
        {
            foreach (var session in sessions) session.Dispose();
        }
        return loop.ToResult();
    }

    /// <summary>Streams the generated tokens.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async IAsyncEnumerable<GeneratedToken> StreamAsync(GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (loop, steps, sessions) = Start(options ?? GenerationOptions.Default);
        await Task.Yield();
        try
        {
            foreach (var token in loop.Run(steps, cancellationToken)) yield return token;
        }
        finally
        {
            foreach (var session in sessions) session.Dispose();
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    private (DecodingLoop, IEnumerable<DecodingStep>, InferenceSession[]) Start(GenerationOptions options)
    {
        options.Validate();
        if (options.NumBeams > 1) throw new ArgumentException("product-of-experts decoding supports greedy decoding and sampling, not beam search", "num_beams");
        if (options.PenaltyAlpha > 0) throw new ArgumentException("product-of-experts decoding supports greedy decoding and sampling, not contrastive search", "penalty_alpha");
        var tokenizer = _experts[0].Model.Tokenizer;
        var prompts = new int[_experts.Length][];
        var limit = options.MaxNewTokens;
        for (var i = 0; i < _experts.Length; i++)
        {
            prompts[i] = Generator.EncodePrompt(_experts[i].Model.Tokenizer, _experts[i].Prompt, options, $"experts[{i}].Prompt");
            Generator.CheckPromptIds(prompts[i], _experts[i].Model, $"experts[{i}].Prompt");
            limit = Math.Min(limit, Generator.Capacity(_experts[i].Model, prompts[i].Length));
        }
        var eos = Generator.EosTokenIds(tokenizer, options);
        var loop = new DecodingLoop(tokenizer, prompts[0], options, eos, limit);
        var sessions = _experts.Select(e => e.Model.CreateSession()).ToArray();
        var steps = Steps(sessions, prompts, options.CreateProcessors(eos), options.CreateSampler(), options.ReturnLogits);
        return (loop, steps, sessions);
    }

    private IEnumerable<DecodingStep> Steps(InferenceSession[] sessions, int[][] prompts, LogitsProcessor processors, LogitsProcessor sampler, bool keepRawLogits)
    {
        var tokens = new List<int>(prompts[0]);
        var context = new DecodingContext(tokens, prompts[0].Length);
        var vocabulary = _experts[0].Model.Info.VocabularySize;
        int? last = null;
        while (true)
        {
            var combined = new double[vocabulary];
            for (var i = 0; i < _experts.Length; i++)
            {
                var fed = last is { } token ? sessions[i].Forward([token]) : sessions[i].Forward(prompts[i]);
                var logProbabilities = BeamSearch.LogSoftmax(fed.LastLogits);
                var weight = _experts[i].Weight;
                for (var v = 0; v < vocabulary; v++) combined[v] += weight * (double)logProbabilities[v];
            }
            var scores = new float[vocabulary];
            for (var v = 0; v < vocabulary; v++) scores[v] = (float)combined[v];
            var candidates = CandidateSet.FromLogits(scores);
            processors.Apply(candidates, context);
            sampler.Apply(candidates, context);
            var chosen = candidates.SelectedId;
            processors.Accept(chosen);
            sampler.Accept(chosen);
            candidates.EnsureProbabilities();
            tokens.Add(chosen);
            yield return new DecodingStep(chosen, keepRawLogits ? scores : null, candidates);
            last = chosen;
        }
    }

    private void CheckSharedTokenizer()
    {
        var reference = _experts[0].Model.Tokenizer;
        var vocabulary = _experts[0].Model.Info.VocabularySize;
        for (var i = 1; i < _experts.Length; i++)
        {
            var model = _experts[i].Model;
            if (ReferenceEquals(model.Tokenizer, reference)) continue;
            if (model.Info.VocabularySize != vocabulary || model.Tokenizer.VocabularySize != reference.VocabularySize)
                throw new ArgumentException(
                    $"expert {i} ({model.Info.Path}) has a vocabulary of {model.Info.VocabularySize} tokens but expert 0 ({_experts[0].Model.Info.Path}) has {vocabulary}; experts must share a tokenizer",
                    $"experts[{i}]");
            foreach (var expert in _experts)
            {
                if (!SameIds(reference, model.Tokenizer, expert.Prompt))
                    throw new ArgumentException(
                        $"expert {i} ({model.Info.Path}) tokenizes the prompt \"{expert.Prompt}\" differently from expert 0; experts must share a tokenizer",
                        $"experts[{i}]");
            }
        }
    }

    private static bool SameIds(Tokenizer a, Tokenizer b, string text) =>
        a.Encode(text, addSpecialTokens: true).AsSpan().SequenceEqual(b.Encode(text, addSpecialTokens: true));
}
