using System.Runtime.CompilerServices;
using NextToken.Generation.Processing;
using NextToken.Models;

namespace NextToken.Generation;

/// <summary>
/// Speculative decoding (Leviathan et al. 2023; Chen et al. 2023): a small draft model proposes γ tokens one by one,
/// then the target model checks them all in one forward pass over γ + 1 positions. Greedy: a proposal is accepted while
/// it is the target's own argmax, and the first disagreement is replaced by the target's choice, so the output is
/// exactly the target's greedy output. Sampling: proposal d drawn from the draft's distribution q is accepted with
/// probability min(1, p(d)/q(d)); on rejection the token is drawn from normalised max(0, p − q), so every token follows
/// the target's distribution p. When all γ are accepted the target's last row gives one more token for free.
/// Both distributions are taken after the options' processors. Rejected positions are removed from both sessions with
/// <see cref="InferenceSession.Truncate"/>. The draft's sampler is seeded with seed + 1, the acceptance draws use seed.
/// </summary>
/// <example><code>
/// var speculative = new SpeculativeDecoder(target, draft, draftTokens: 4);
/// var result = speculative.Generate("Once upon a time", new GenerationOptions { MaxNewTokens = 100 });
/// Console.WriteLine(result.Speculation!.AcceptanceRate);
/// </code></example>
public sealed class SpeculativeDecoder
{
    /// <param name="target">The model whose output is reproduced.</param>
    /// <param name="draft">The cheaper model that proposes; it must share the target's tokenizer.</param>
    /// <param name="draftTokens">γ, proposals per verification (1 or more).</param>
    public SpeculativeDecoder(LanguageModel target, LanguageModel draft, int draftTokens = 4)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(draft);
        if (draftTokens < 1) throw new ArgumentOutOfRangeException(nameof(draftTokens), draftTokens, "the draft must propose at least 1 token per round");
        if (draft.Info.VocabularySize != target.Info.VocabularySize)
            throw new ArgumentException($"the draft model has {draft.Info.VocabularySize} tokens but the target has {target.Info.VocabularySize}; they must share a tokenizer", nameof(draft));
        Target = target;
        Draft = draft;
        DraftTokens = draftTokens;
    }

    public LanguageModel Target { get; }
    public LanguageModel Draft { get; }

    /// <summary>γ: tokens proposed per round.</summary>
    public int DraftTokens { get; }

    /// <summary>Generates and returns the whole result with <see cref="GenerationResult.Speculation"/> statistics.</summary>
    public GenerationResult Generate(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= GenerationOptions.Default;
        var run = Start(prompt, options);
        try
        {
            foreach (var _ in run.Loop.Run(run.Steps, cancellationToken)) { }
        }
        finally
        {
            run.Dispose();
        }
        return run.Loop.ToResult(run.Statistics);
    }

    /// <summary>Streams the generated tokens (several may arrive at once, after each verification).</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async IAsyncEnumerable<GeneratedToken> StreamAsync(string prompt, GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var run = Start(prompt, options ?? GenerationOptions.Default);
        await Task.Yield();
        try
        {
            foreach (var token in run.Loop.Run(run.Steps, cancellationToken)) yield return token;
        }
        finally
        {
            run.Dispose();
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    private sealed class Run(DecodingLoop loop, InferenceSession target, InferenceSession draft) : IDisposable
    {
        public DecodingLoop Loop { get; } = loop;
        public InferenceSession TargetSession { get; } = target;
        public InferenceSession DraftSession { get; } = draft;
        public IEnumerable<DecodingStep> Steps { get; set; } = [];
        public int Rounds, Drafted, Accepted;
        public SpeculativeStatistics Statistics => new(Rounds, Drafted, Accepted);

        public void Dispose()
        {
            TargetSession.Dispose();
            DraftSession.Dispose();
        }
    }

    private Run Start(string prompt, GenerationOptions options)
    {
        options.Validate();
        if (options.NumBeams > 1) throw new ArgumentException("speculative decoding supports greedy decoding and sampling, not beam search", "num_beams");
        if (options.PenaltyAlpha > 0) throw new ArgumentException("speculative decoding supports greedy decoding and sampling, not contrastive search", "penalty_alpha");
        var promptIds = Generator.EncodePrompt(Target.Tokenizer, prompt, options);
        if (!promptIds.AsSpan().SequenceEqual(Draft.Tokenizer.Encode(prompt, addSpecialTokens: options.AddSpecialTokens)))
            throw new ArgumentException("the draft model tokenizes the prompt differently from the target; they must share a tokenizer", "draft");
        Generator.CheckPromptIds(promptIds, Target, nameof(prompt));
        Generator.CheckPromptIds(promptIds, Draft, nameof(prompt));
        var eos = Generator.EosTokenIds(Target.Tokenizer, options);
        var limit = Math.Min(options.MaxNewTokens, Generator.Capacity(Target, promptIds.Length));
        var run = new Run(new DecodingLoop(Target.Tokenizer, promptIds, options, eos, limit), Target.CreateSession(), Draft.CreateSession());
        run.Steps = Steps(run, promptIds, options, options.CreateProcessors(eos), limit);
        return run;
    }

    private IEnumerable<DecodingStep> Steps(Run run, int[] promptIds, GenerationOptions options, LogitsProcessor processors, int limit)
    {
        var target = run.TargetSession;
        var draft = run.DraftSession;
        var sampling = options.IsSampling;
        var seed = options.Seed ?? (ulong)Random.Shared.NextInt64();
        var acceptance = new MultinomialSampler(seed);
        var proposer = new MultinomialSampler(unchecked(seed + 1));
        var greedy = new GreedySampler();
        var tokens = new List<int>(promptIds);
        var generated = 0;
        if (promptIds.Length > 1)
        {
            target.Forward(promptIds.AsSpan(0, promptIds.Length - 1));
            draft.Forward(promptIds.AsSpan(0, promptIds.Length - 1));
        }
        while (true)
        {
            // Invariant: both sessions hold a prefix of `tokens` that lacks at least the last token.
            var remaining = limit - generated;
            var gamma = Math.Min(DraftTokens, Math.Min(remaining - 1, target.MaxLength - tokens.Count));
            gamma = Math.Min(gamma, draft.MaxLength - tokens.Count + 1);
            gamma = Math.Max(0, gamma);

            var proposals = new List<int>(gamma);
            var draftRows = new List<float[]>(gamma);
            var sequence = new List<int>(tokens);
            for (var i = 0; i < gamma; i++)
            {
                var fed = draft.Forward(Tail(sequence, draft.Length));
                var candidates = CandidateSet.FromLogits(fed.LastLogits);
                processors.Apply(candidates, new DecodingContext(sequence, promptIds.Length));
                int proposal;
                if (sampling)
                {
                    var q = candidates.ToProbabilityRow();
                    proposal = proposer.DrawFromRow(q);
                    draftRows.Add(q);
                }
                else
                {
                    greedy.Apply(candidates, default);
                    proposal = candidates.SelectedId;
                }
                proposals.Add(proposal);
                sequence.Add(proposal);
            }

            var verify = Tail(sequence, target.Length);
            var checkedRows = target.Forward(verify, gamma > 0 ? ForwardOptions.AllLogits : ForwardOptions.LastLogits);
            var firstRow = checkedRows.Rows - (gamma + 1);
            var previousCount = tokens.Count;
            var accepted = 0;
            run.Rounds += gamma > 0 ? 1 : 0;
            run.Drafted += gamma;
            for (var i = 0; i <= gamma; i++)
            {
                var raw = checkedRows.LogitsAt(firstRow + i);
                var candidates = CandidateSet.FromLogits(raw);
                var context = new DecodingContext(tokens, promptIds.Length);
                processors.Apply(candidates, context);
                candidates.EnsureProbabilities();
                int token;
                var stop = false;
                if (i == gamma)
                {
                    token = Pick(candidates, sampling, acceptance, greedy);
                }
                else
                {
                    var proposal = proposals[i];
                    if (sampling)
                    {
                        var p = candidates.ToProbabilityRow();
                        var q = draftRows[i];
                        var ratio = q[proposal] > 0 ? p[proposal] / q[proposal] : 1.0;
                        if (acceptance.NextUniform() < Math.Min(1.0, ratio)) token = proposal;
                        else
                        {
                            var residual = new float[p.Length];
                            for (var v = 0; v < p.Length; v++) residual[v] = Math.Max(0f, p[v] - q[v]);
                            token = residual.Any(r => r > 0) ? acceptance.DrawFromRow(residual) : acceptance.DrawFromRow(p);
                            stop = true;
                        }
                    }
                    else
                    {
                        token = Pick(candidates, sampling: false, acceptance, greedy);
                        stop = token != proposal;
                    }
                    if (!stop)
                    {
                        accepted++;
                        run.Accepted++;
                    }
                }
                tokens.Add(token);
                generated++;
                yield return new DecodingStep(token, options.ReturnLogits ? raw.ToArray() : null, candidates);
                if (stop) break;
            }
            // Keep only what is still a prefix of the accepted sequence (the newest token is fed next round).
            target.Truncate(Math.Min(target.Length, previousCount + accepted));
            draft.Truncate(Math.Min(draft.Length, previousCount + accepted));
        }
    }

    private static int Pick(CandidateSet candidates, bool sampling, MultinomialSampler sampler, GreedySampler greedy)
    {
        if (sampling) return sampler.DrawFromRow(candidates.ToProbabilityRow());
        greedy.Apply(candidates, default);
        return candidates.SelectedId;
    }

    private static int[] Tail(List<int> sequence, int from) => sequence.GetRange(from, sequence.Count - from).ToArray();
}
