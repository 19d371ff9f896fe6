using System.CommandLine;
using NextToken.Generation;
using NextToken.Tokenizers;

namespace NextToken.Cli;

/// <summary>
/// The decoding options <c>generate</c>, <c>poe</c> and <c>speculative</c> share, named after Hugging Face's
/// <c>generate()</c> arguments. Sampling is on when <c>--do-sample</c> is given or any sampling option
/// (<c>--temperature</c>, <c>--top-k</c>, <c>--top-p</c>, <c>--min-p</c>, <c>--typical-p</c>, <c>--seed</c>) is; <c>--temperature 0</c> is greedy.
/// </summary>
internal sealed class GenerationOptionSet
{
    private readonly Option<int> _maxNewTokens = new("--max-new-tokens", "-n") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 128, HelpName = "N" };
    private readonly Option<int> _minNewTokens = new("--min-new-tokens") { Description = "End-of-sequence is held back until this many tokens exist.", HelpName = "N" };
    private readonly Option<bool> _doSample = new("--do-sample") { Description = "Sample from the distribution instead of taking the most likely token." };
    private readonly Option<float?> _temperature = new("--temperature") { Description = "Divide logits by T before sampling (implies sampling; 0 = greedy).", HelpName = "T" };
    private readonly Option<int?> _topK = new("--top-k") { Description = "Keep only the K most likely tokens (sampling; with --penalty-alpha, contrastive search's candidates).", HelpName = "K" };
    private readonly Option<float?> _topP = new("--top-p") { Description = "Nucleus sampling: keep the most likely tokens up to total probability P, in (0, 1].", HelpName = "P" };
    private readonly Option<float?> _minP = new("--min-p") { Description = "Drop tokens less likely than P times the most likely one.", HelpName = "P" };
    private readonly Option<float?> _typicalP = new("--typical-p") { Description = "Locally typical sampling mass, in (0, 1].", HelpName = "P" };
    private readonly Option<float> _repetitionPenalty = new("--repetition-penalty") { Description = "Penalise tokens already present (Hugging Face semantics; 1 = off).", DefaultValueFactory = _ => 1f, HelpName = "R" };
    private readonly Option<float> _frequencyPenalty = new("--frequency-penalty") { Description = "Subtract F × count of each token already generated (OpenAI semantics).", HelpName = "F" };
    private readonly Option<float> _presencePenalty = new("--presence-penalty") { Description = "Subtract P from every token already generated (OpenAI semantics).", HelpName = "P" };
    private readonly Option<int> _noRepeatNgram = new("--no-repeat-ngram-size") { Description = "Never repeat an n-gram of this size.", HelpName = "N" };
    private readonly Option<string[]> _badWords = new("--bad-words") { Description = "A word or phrase never to generate (repeatable).", HelpName = "TEXT", AllowMultipleArgumentsPerToken = false };
    private readonly Option<int> _numBeams = new("--num-beams") { Description = "Beam search with B beams (1 = off).", DefaultValueFactory = _ => 1, HelpName = "B" };
    private readonly Option<float> _lengthPenalty = new("--length-penalty") { Description = "Beam search: score = sum of log-probabilities / length^alpha.", DefaultValueFactory = _ => 1f, HelpName = "ALPHA" };
    private readonly Option<int> _numReturnSequences = new("--num-return-sequences") { Description = "Beam search: how many finished beams to print.", DefaultValueFactory = _ => 1, HelpName = "N" };
    private readonly Option<float> _penaltyAlpha = new("--penalty-alpha") { Description = "Contrastive search degeneration penalty in [0, 1] (needs --top-k ≥ 2).", HelpName = "A" };
    private readonly Option<ulong?> _seed = new("--seed") { Description = "Random seed: the same seed gives the same output (implies sampling).", HelpName = "S" };
    private readonly Option<string[]> _stop = new("--stop") { Description = "Stop when the output contains this text (repeatable); the text itself is not printed.", HelpName = "STR", AllowMultipleArgumentsPerToken = false };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _maxNewTokens, _minNewTokens, _doSample, _temperature, _topK, _topP, _minP, _typicalP, _repetitionPenalty,
                     _frequencyPenalty, _presencePenalty, _noRepeatNgram, _badWords, _numBeams, _lengthPenalty, _numReturnSequences, _penaltyAlpha, _seed, _stop })
            command.Options.Add(option);
    }

    public GenerationOptions Read(ParseResult parse, Tokenizer tokenizer)
    {
        var temperature = parse.GetValue(_temperature);
        var topK = parse.GetValue(_topK);
        var topP = parse.GetValue(_topP);
        var minP = parse.GetValue(_minP);
        var typicalP = parse.GetValue(_typicalP);
        var seed = parse.GetValue(_seed);
        var penaltyAlpha = parse.GetValue(_penaltyAlpha);
        var sampling = parse.GetValue(_doSample) || temperature is not null || topP is not null || minP is not null || typicalP is not null || seed is not null
                       || (topK is not null && penaltyAlpha == 0);
        var badWords = parse.GetValue(_badWords) is { Length: > 0 } words
            ? words.SelectMany(w => new[] { tokenizer.Encode(w), tokenizer.Encode(" " + w) }).Where(ids => ids.Length > 0).Select(ids => (IReadOnlyList<int>)ids).ToList()
            : null;
        var options = new GenerationOptions
        {
            MaxNewTokens = parse.GetValue(_maxNewTokens),
            MinNewTokens = parse.GetValue(_minNewTokens),
            DoSample = sampling,
            Temperature = temperature ?? 1f,
            TopK = topK ?? 0,
            TopP = topP ?? 1f,
            MinP = minP ?? 0f,
            TypicalP = typicalP ?? 1f,
            RepetitionPenalty = parse.GetValue(_repetitionPenalty),
            FrequencyPenalty = parse.GetValue(_frequencyPenalty),
            PresencePenalty = parse.GetValue(_presencePenalty),
            NoRepeatNgramSize = parse.GetValue(_noRepeatNgram),
            BadWordsIds = badWords,
            NumBeams = parse.GetValue(_numBeams),
            LengthPenalty = parse.GetValue(_lengthPenalty),
            NumReturnSequences = parse.GetValue(_numReturnSequences),
            PenaltyAlpha = penaltyAlpha,
            Seed = seed,
            StopStrings = parse.GetValue(_stop) is { Length: > 0 } stops ? stops : null,
        };
        options.Validate();
        return options;
    }
}
