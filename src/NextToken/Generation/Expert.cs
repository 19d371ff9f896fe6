using NextToken.Models;

namespace NextToken.Generation;

/// <summary>One expert of a <see cref="ProductOfExperts"/>: a model, the prompt it reads, and the weight of its opinion.</summary>
/// <param name="Model">The model (experts may share one).</param>
/// <param name="Prompt">The text this expert is conditioned on (encoded with the options' <c>AddSpecialTokens</c>).</param>
/// <param name="Weight">Multiplies the expert's log-probabilities; negative weights push away from the expert (as in contrastive decoding).</param>
public sealed record Expert(LanguageModel Model, string Prompt, float Weight = 1f);
