using NextToken.Generation;

namespace NextToken.Cli;

/// <summary>Prints a stream of generated tokens, or a finished result as JSON, the same way for every generating command.</summary>
internal static class GenerationOutput
{
    /// <summary>Streams text to the output as tokens arrive; returns the tokens.</summary>
    public static async Task<List<GeneratedToken>> StreamAsync(CliContext context, string prompt, IAsyncEnumerable<GeneratedToken> tokens, bool echoPrompt = true)
    {
        if (echoPrompt) context.Output.Write(prompt);
        var all = new List<GeneratedToken>();
        await foreach (var token in tokens)
        {
            all.Add(token);
            context.Output.Write(token.Text);
            context.Output.Flush();
        }
        context.Output.WriteLine();
        return all;
    }

    public static object Json(string prompt, GenerationResult result) => new
    {
        Prompt = prompt,
        result.Text,
        result.PromptIds,
        result.TokenIds,
        FinishReason = result.FinishReason.ToString().ToLowerInvariant(),
        Tokens = result.Tokens.Select(t => new { t.Id, t.Text, t.Probability }),
        Sequences = result.Sequences.Count > 1
            ? result.Sequences.Select(s => new { s.Text, s.TokenIds, FinishReason = s.FinishReason.ToString().ToLowerInvariant(), s.Score })
            : null,
        Speculation = result.Speculation is { } s2
            ? new { s2.Rounds, s2.DraftedTokens, s2.AcceptedTokens, s2.AcceptanceRate }
            : null,
    };
}
