namespace NextToken.Scoring;

/// <summary>How well the model predicted one token of a text.</summary>
/// <param name="Position">Index of the token in the scored ids (BOS, when added, is position 0).</param>
/// <param name="Id">The token id.</param>
/// <param name="Piece">Its display form (<see cref="Tokenizers.Tokenizer.TokenToPiece"/>).</param>
/// <param name="LogProbability">Natural log of the probability the model gave it after the tokens before it.</param>
/// <param name="Rank">1 when it was the model's top choice; 1 + the number of tokens with a strictly higher logit.</param>
public sealed record TokenScore(int Position, int Id, string Piece, double LogProbability, int Rank);

/// <summary>The result of a sliding-window perplexity computation.</summary>
/// <param name="Perplexity">exp(Nll / ScoredTokens).</param>
/// <param name="Nll">Sum of −log p over every scored token.</param>
/// <param name="ScoredTokens">Tokens scored (every token but the first of the sequence).</param>
/// <param name="Windows">Forward passes made.</param>
public sealed record PerplexityResult(double Perplexity, double Nll, int ScoredTokens, int Windows);

/// <summary>How a context and its continuation were tokenized for conditional scoring.</summary>
/// <param name="Ids">The ids of the joined text (BOS first when the tokenizer adds one).</param>
/// <param name="ContinuationStart">Index in <paramref name="Ids"/> of the first continuation token: the end of the longest prefix shared with the context's own ids.</param>
/// <param name="ContextMerged">True when the tokenizer merged across the boundary, so the context's own ids are not a prefix of the joined ids.</param>
public sealed record ContinuationSplit(int[] Ids, int ContinuationStart, bool ContextMerged);
