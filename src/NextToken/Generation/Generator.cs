using System.Runtime.CompilerServices;
using NextToken.Models;
using NextToken.Tokenizers;

namespace NextToken.Generation;

/// <summary>
/// Generates text with one model: greedy decoding, multinomial sampling, contrastive search or beam search, chosen by
/// <see cref="GenerationOptions"/> as Hugging Face's <c>generate</c> chooses. Stream tokens with
/// <see cref="StreamAsync(string, GenerationOptions?, CancellationToken)"/>, or get everything at once with
/// <see cref="Generate(string, GenerationOptions?, CancellationToken)"/>.
/// </summary>
/// <example><code>
/// using var model = LanguageModel.Load("stories260K.gguf");
/// var generator = new Generator(model);
/// var result = generator.Generate("Once upon a time", new GenerationOptions { MaxNewTokens = 40 });
/// Console.WriteLine(result.Text);   // greedy continuation; result.FinishReason tells why it ended
/// </code></example>
public sealed class Generator
{
    public Generator(LanguageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    public LanguageModel Model { get; }

    /// <summary>Streams the generated tokens. Beam search streams the best sequence once the search is over.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled (the stream ends with the exception, as async streams do).</exception>
    public IAsyncEnumerable<GeneratedToken> StreamAsync(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= GenerationOptions.Default;
        options.Validate();
        return StreamAsync(EncodePrompt(Model.Tokenizer, prompt, options), options, cancellationToken);
    }

    /// <summary>Streams the tokens generated after the prompt ids (fed exactly as given: add BOS yourself).</summary>
    public async IAsyncEnumerable<GeneratedToken> StreamAsync(IReadOnlyList<int> promptIds, GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= GenerationOptions.Default;
        options.Validate();
        CheckPromptIds(promptIds, Model);
        await Task.Yield();
        if (options.NumBeams > 1)
        {
            var result = Generate(promptIds, options, cancellationToken);
            foreach (var token in result.Tokens) yield return token;
            cancellationToken.ThrowIfCancellationRequested();
            yield break;
        }
        var (loop, steps, session) = Start(promptIds, options);
        using (session)
        {
            foreach (var token in loop.Run(steps, cancellationToken))
                yield return token;
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Generates from a text prompt (encoded with <see cref="GenerationOptions.AddSpecialTokens"/>) and returns the whole result.</summary>
    public GenerationResult Generate(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= GenerationOptions.Default;
        options.Validate();
        return Generate(EncodePrompt(Model.Tokenizer, prompt, options), options, cancellationToken);
    }

    /// <summary>Generates after the given prompt ids and returns the whole result; cancellation ends it with <see cref="FinishReason.Cancelled"/>.</summary>
    public GenerationResult Generate(IReadOnlyList<int> promptIds, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= GenerationOptions.Default;
        options.Validate();
        CheckPromptIds(promptIds, Model);
        var eos = EosTokenIds(Model.Tokenizer, options);
        var limit = Math.Min(options.MaxNewTokens, Capacity(Model, promptIds.Count));
        if (options.NumBeams > 1)
            return new BeamSearch(options, options.CreateProcessors(eos), eos).Run(Model, promptIds, limit, cancellationToken);
        var (loop, steps, session) = Start(promptIds, options);
        using (session)
        {
            foreach (var _ in loop.Run(steps, cancellationToken)) { }
        }
        return loop.ToResult();
    }

    /// <summary><see cref="Generate(string, GenerationOptions?, CancellationToken)"/> on the thread pool.</summary>
    public Task<GenerationResult> GenerateAsync(string prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Generate(prompt, options, cancellationToken), CancellationToken.None);

    private (DecodingLoop Loop, IEnumerable<DecodingStep> Steps, InferenceSession Session) Start(IReadOnlyList<int> promptIds, GenerationOptions options)
    {
        var eos = EosTokenIds(Model.Tokenizer, options);
        var limit = Math.Min(options.MaxNewTokens, Capacity(Model, promptIds.Count));
        var loop = new DecodingLoop(Model.Tokenizer, promptIds, options, eos, limit);
        var session = Model.CreateSession();
        var processors = options.CreateProcessors(eos);
        var steps = options.PenaltyAlpha > 0 && options.TopK > 1
            ? ContrastiveSearch.Steps(session, promptIds, processors, options.TopK, options.PenaltyAlpha, options.ReturnLogits)
            : SamplingStrategy.Steps(session, promptIds, processors, options.CreateSampler(), options.ReturnLogits);
        return (loop, steps, session);
    }

    /// <summary>Most new tokens a session of <paramref name="model"/> can produce after a prompt of this length (the last token is never fed).</summary>
    internal static int Capacity(LanguageModel model, int promptLength) => Math.Max(0, model.Info.ContextLength - promptLength + 1);

    /// <summary>The prompt's ids, checked to be non-empty.</summary>
    internal static int[] EncodePrompt(Tokenizer tokenizer, string prompt, GenerationOptions options, string parameterName = "prompt")
    {
        ArgumentNullException.ThrowIfNull(prompt, parameterName);
        var ids = tokenizer.Encode(prompt, addSpecialTokens: options.AddSpecialTokens);
        if (ids.Length == 0)
            throw new ArgumentException("the prompt is empty and the tokenizer adds no BOS token; give at least one token of prompt", parameterName);
        return ids;
    }

    internal static void CheckPromptIds(IReadOnlyList<int> promptIds, LanguageModel model, string parameterName = "promptIds")
    {
        ArgumentNullException.ThrowIfNull(promptIds, parameterName);
        if (promptIds.Count == 0) throw new ArgumentException("the prompt needs at least one token", parameterName);
        var vocabulary = model.Info.VocabularySize;
        foreach (var id in promptIds)
            if ((uint)id >= (uint)vocabulary)
                throw new ArgumentException($"prompt token id {id} is outside the vocabulary (0..{vocabulary - 1})", parameterName);
        if (promptIds.Count > model.Info.ContextLength)
            throw new ArgumentException($"the prompt has {promptIds.Count} tokens but the model's context holds {model.Info.ContextLength}", parameterName);
    }

    /// <summary><see cref="GenerationOptions.EosTokenIds"/>, or the tokenizer's EOS.</summary>
    internal static IReadOnlyList<int> EosTokenIds(Tokenizer tokenizer, GenerationOptions options) =>
        options.EosTokenIds ?? (tokenizer.EosTokenId is { } eos ? [eos] : []);
}
