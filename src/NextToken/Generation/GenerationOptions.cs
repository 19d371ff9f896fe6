using NextToken.Generation.Processing;

namespace NextToken.Generation;

/// <summary>
/// Everything that controls generation, with Hugging Face <c>GenerationConfig</c> names (in comments) and defaults,
/// except where noted. The strategy follows from the options as in Hugging Face: <see cref="NumBeams"/> &gt; 1 is beam
/// search; otherwise <see cref="PenaltyAlpha"/> &gt; 0 with <see cref="TopK"/> &gt; 1 is contrastive search; otherwise
/// <see cref="DoSample"/> picks multinomial sampling over greedy decoding.
/// </summary>
/// <example><code>
/// var options = new GenerationOptions { MaxNewTokens = 50, DoSample = true, Temperature = 0.8f, TopP = 0.95f, Seed = 42 };
/// await foreach (var token in new Generator(model).StreamAsync("Once upon a time", options))
///     Console.Write(token.Text);
/// </code></example>
public sealed record GenerationOptions
{
    /// <summary>Greedy decoding of up to 128 tokens.</summary>
    public static GenerationOptions Default { get; } = new();

    /// <summary><c>max_new_tokens</c>: most tokens to generate (Hugging Face has no default beyond <c>max_length=20</c>; NextToken uses 128). Also limited by the model's context.</summary>
    public int MaxNewTokens { get; init; } = 128;

    /// <summary><c>min_new_tokens</c>: end-of-sequence tokens are banned until this many tokens exist.</summary>
    public int MinNewTokens { get; init; }

    /// <summary><c>do_sample</c>: draw tokens at random from the processed distribution instead of taking the best.</summary>
    public bool DoSample { get; init; }

    /// <summary><c>temperature</c> (used when sampling): logits are divided by it. 0 means greedy decoding (as in llama.cpp and OpenAI).</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary><c>top_k</c> (used when sampling, and by contrastive search): keep the k best tokens. 0 is off, which is NextToken's default (Hugging Face's is 50, a surprise for a toolkit meant to show the model's own distribution).</summary>
    public int TopK { get; init; }

    /// <summary><c>top_p</c> (used when sampling): nucleus size in (0, 1]; 1 is off.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary><c>min_p</c> (used when sampling): keep tokens with at least this fraction of the best token's probability; 0 is off.</summary>
    public float MinP { get; init; }

    /// <summary><c>typical_p</c> (used when sampling): locally typical mass in (0, 1]; 1 is off.</summary>
    public float TypicalP { get; init; } = 1f;

    /// <summary><c>repetition_penalty</c>: &gt; 0; 1 is off. Applies to every token of prompt and output.</summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>OpenAI's <c>frequency_penalty</c>: subtracted once per earlier occurrence in the output; 0 is off.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>OpenAI's <c>presence_penalty</c>: subtracted once if the token occurs in the output; 0 is off.</summary>
    public float PresencePenalty { get; init; }

    /// <summary><c>no_repeat_ngram_size</c>: no n-gram of this size occurs twice; 0 is off.</summary>
    public int NoRepeatNgramSize { get; init; }

    /// <summary><c>bad_words_ids</c>: token sequences that are never generated.</summary>
    public IReadOnlyList<IReadOnlyList<int>>? BadWordsIds { get; init; }

    /// <summary>OpenAI's <c>logit_bias</c>: added to the named tokens' logits.</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; init; }

    /// <summary><c>suppress_tokens</c>: tokens that are never generated.</summary>
    public IReadOnlyList<int>? SuppressTokens { get; init; }

    /// <summary><c>num_beams</c>: 1 is no beam search.</summary>
    public int NumBeams { get; init; } = 1;

    /// <summary><c>length_penalty</c>: a finished beam scores sum_logprobs / generated_length^length_penalty.</summary>
    public float LengthPenalty { get; init; } = 1f;

    /// <summary><c>early_stopping</c>: when beam search stops.</summary>
    public EarlyStopping EarlyStopping { get; init; } = EarlyStopping.Heuristic;

    /// <summary><c>num_return_sequences</c>: how many finished beams to return (at most <see cref="NumBeams"/>).</summary>
    public int NumReturnSequences { get; init; } = 1;

    /// <summary><c>penalty_alpha</c>: the degeneration penalty's weight in contrastive search; 0 is off.</summary>
    public float PenaltyAlpha { get; init; }

    /// <summary><c>eos_token_id</c>: ids that end generation; null means the tokenizer's EOS.</summary>
    public IReadOnlyList<int>? EosTokenIds { get; init; }

    /// <summary><c>stop_strings</c>: generation ends when the text contains one; the returned text stops just before it (as OpenAI's <c>stop</c>).</summary>
    public IReadOnlyList<string>? StopStrings { get; init; }

    /// <summary>Seed of the sampler's <see cref="Pcg32"/>; null draws one from the system. The same seed gives the same output.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Add the tokenizer's special tokens (BOS for Llama) when encoding a text prompt.</summary>
    public bool AddSpecialTokens { get; init; } = true;

    /// <summary>Leave special tokens out of the decoded text.</summary>
    public bool SkipSpecialTokens { get; init; } = true;

    /// <summary>How many most probable alternatives to report with each token (OpenAI's <c>top_logprobs</c>); 0 is none.</summary>
    public int TopAlternatives { get; init; }

    /// <summary>Report each step's raw logits (a copy of the whole vocabulary row).</summary>
    public bool ReturnLogits { get; init; }

    /// <summary>Report each step's processed scores (Hugging Face's <c>output_scores</c>): the row after every processor, −∞ where removed.</summary>
    public bool ReturnScores { get; init; }

    /// <summary>Throws when an option is out of range, naming it with Hugging Face's parameter name.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 0) throw new ArgumentOutOfRangeException("max_new_tokens", MaxNewTokens, "max_new_tokens must be 0 or more");
        if (MinNewTokens < 0) throw new ArgumentOutOfRangeException("min_new_tokens", MinNewTokens, "min_new_tokens must be 0 or more");
        if (!(Temperature >= 0) || float.IsInfinity(Temperature)) throw new ArgumentOutOfRangeException("temperature", Temperature, "temperature must be 0 (greedy) or a positive finite number");
        if (TopK < 0) throw new ArgumentOutOfRangeException("top_k", TopK, "top_k must be 0 (off) or more");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException("top_p", TopP, "top_p must be in (0, 1]");
        if (!(MinP >= 0 && MinP <= 1)) throw new ArgumentOutOfRangeException("min_p", MinP, "min_p must be in [0, 1]");
        if (!(TypicalP > 0 && TypicalP <= 1)) throw new ArgumentOutOfRangeException("typical_p", TypicalP, "typical_p must be in (0, 1]");
        if (!(RepetitionPenalty > 0) || float.IsInfinity(RepetitionPenalty)) throw new ArgumentOutOfRangeException("repetition_penalty", RepetitionPenalty, "repetition_penalty must be a positive finite number");
        if (!float.IsFinite(FrequencyPenalty)) throw new ArgumentOutOfRangeException("frequency_penalty", FrequencyPenalty, "frequency_penalty must be finite");
        if (!float.IsFinite(PresencePenalty)) throw new ArgumentOutOfRangeException("presence_penalty", PresencePenalty, "presence_penalty must be finite");
        if (NoRepeatNgramSize < 0) throw new ArgumentOutOfRangeException("no_repeat_ngram_size", NoRepeatNgramSize, "no_repeat_ngram_size must be 0 (off) or more");
        if (NumBeams < 1) throw new ArgumentOutOfRangeException("num_beams", NumBeams, "num_beams must be at least 1");
        if (NumReturnSequences < 1) throw new ArgumentOutOfRangeException("num_return_sequences", NumReturnSequences, "num_return_sequences must be at least 1");
        if (NumReturnSequences > NumBeams) throw new ArgumentOutOfRangeException("num_return_sequences", NumReturnSequences, $"num_return_sequences ({NumReturnSequences}) cannot exceed num_beams ({NumBeams})");
        if (!float.IsFinite(LengthPenalty)) throw new ArgumentOutOfRangeException("length_penalty", LengthPenalty, "length_penalty must be finite");
        if (!(PenaltyAlpha >= 0 && PenaltyAlpha <= 1)) throw new ArgumentOutOfRangeException("penalty_alpha", PenaltyAlpha, "penalty_alpha must be in [0, 1]");
        if (PenaltyAlpha > 0 && TopK < 2 && NumBeams == 1) throw new ArgumentOutOfRangeException("top_k", TopK, "contrastive search (penalty_alpha > 0) needs top_k of 2 or more");
        if (NumBeams > 1 && DoSample && Temperature > 0) throw new ArgumentException("beam sampling (num_beams > 1 with do_sample) is not supported; use beam search or sampling", "do_sample");
        if (NumBeams > 1 && PenaltyAlpha > 0) throw new ArgumentException("contrastive search (penalty_alpha > 0) cannot be combined with num_beams > 1", "penalty_alpha");
        if (TopAlternatives < 0) throw new ArgumentOutOfRangeException("top_logprobs", TopAlternatives, "the number of alternatives must be 0 or more");
        if (StopStrings is not null && StopStrings.Any(string.IsNullOrEmpty)) throw new ArgumentException("stop_strings must not contain an empty string", "stop_strings");
        if (EosTokenIds is not null && EosTokenIds.Any(id => id < 0)) throw new ArgumentException("eos_token_id must hold token ids (0 or more)", "eos_token_id");
        if (BadWordsIds is not null) _ = new BadWordsProcessor(BadWordsIds);
        if (LogitBias is not null) _ = new LogitBiasProcessor(LogitBias);
        if (SuppressTokens is not null) _ = new SuppressTokensProcessor(SuppressTokens);
    }

    /// <summary>Whether tokens are drawn at random (<see cref="DoSample"/> with a positive temperature).</summary>
    public bool IsSampling => DoSample && Temperature > 0;

    /// <summary>
    /// The processors in Hugging Face's order (<c>_get_logits_processor</c>): logit bias, repetition penalty (then
    /// frequency/presence penalties), no-repeat n-gram, bad words, min new tokens, suppressed tokens; then, when
    /// sampling, temperature, top-k, top-p, min-p, typical-p. No sampler is included.
    /// </summary>
    /// <param name="eosTokenIds">The end-of-sequence ids <see cref="MinNewTokens"/> holds back.</param>
    public ProcessorChain CreateProcessors(IReadOnlyList<int> eosTokenIds)
    {
        Validate();
        var steps = new List<LogitsProcessor>();
        if (LogitBias is { Count: > 0 }) steps.Add(new LogitBiasProcessor(LogitBias));
        if (RepetitionPenalty != 1f) steps.Add(new RepetitionPenaltyProcessor(RepetitionPenalty));
        if (FrequencyPenalty != 0f || PresencePenalty != 0f) steps.Add(new FrequencyPresencePenaltyProcessor(FrequencyPenalty, PresencePenalty));
        if (NoRepeatNgramSize > 0) steps.Add(new NoRepeatNgramProcessor(NoRepeatNgramSize));
        if (BadWordsIds is { Count: > 0 }) steps.Add(new BadWordsProcessor(BadWordsIds));
        if (MinNewTokens > 0 && eosTokenIds.Count > 0) steps.Add(new MinNewTokensProcessor(MinNewTokens, eosTokenIds));
        if (SuppressTokens is { Count: > 0 }) steps.Add(new SuppressTokensProcessor(SuppressTokens));
        if (IsSampling)
        {
            if (Temperature != 1f) steps.Add(new TemperatureProcessor(Temperature));
            if (TopK > 0) steps.Add(new TopKProcessor(TopK));
            if (TopP < 1f) steps.Add(new TopPProcessor(TopP));
            if (MinP > 0f) steps.Add(new MinPProcessor(MinP));
            if (TypicalP < 1f) steps.Add(new TypicalPProcessor(TypicalP));
        }
        return new ProcessorChain(steps);
    }

    /// <summary>The final picking step: a seeded <see cref="MultinomialSampler"/> when sampling, else <see cref="GreedySampler"/>.</summary>
    public LogitsProcessor CreateSampler() =>
        IsSampling ? new MultinomialSampler(Seed ?? (ulong)Random.Shared.NextInt64()) : new GreedySampler();
}
