using System.CommandLine;
using NextToken.Scoring;

namespace NextToken.Cli.Commands;

/// <summary><c>nexttoken score "text"</c> or <c>--context A --continuation B</c>: per-token log-probabilities and totals.</summary>
internal static class ScoreCommand
{
    public static Command Create(CliContext context)
    {
        var text = new Argument<string?>("text") { Description = "The text to score (or use --context and --continuation).", Arity = ArgumentArity.ZeroOrOne };
        var contextOption = new Option<string>("--context") { Description = "Conditioning text: only the continuation is scored.", HelpName = "TEXT" };
        var continuation = new Option<string>("--continuation") { Description = "The text scored after --context (joined to it with one space).", HelpName = "TEXT" };
        var window = new Option<int>("--window") { Description = "Perplexity of long text with a sliding window of this many tokens (0: the model's context).", HelpName = "N" };
        var stride = new Option<int>("--stride") { Description = "Step between sliding windows (0: half the window).", HelpName = "N" };
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("score", "Score text: negative log-likelihood, per-token log-probabilities, perplexity; or the conditional NLL of a continuation.")
            { text, contextOption, continuation, window, stride, model, threads, json };
        CommandLineApp.SetAction(command, context, parse =>
        {
            var plain = parse.GetValue(text);
            var given = parse.GetValue(contextOption);
            var next = parse.GetValue(continuation);
            if ((given is null) != (next is null))
                throw new ArgumentException("--context and --continuation go together: give both", given is null ? "context" : "continuation");
            if (given is not null && plain is not null)
                throw new ArgumentException("give either a text or --context with --continuation, not both", "text");
            if (given is null && string.IsNullOrEmpty(plain))
                throw new ArgumentException("nothing to score: give a text, or --context and --continuation", "text");
            using var loaded = ModelLoading.Load(context, parse.GetValue(model), parse.GetValue(threads));
            var scorer = new Scorer(loaded);
            IReadOnlyList<TokenScore> tokens;
            string mode;
            PerplexityResult? perplexity = null;
            if (given is not null)
            {
                var split = scorer.SplitContinuation(given, next!);
                tokens = scorer.TokenLogProbabilities(split.Ids, Math.Max(1, split.ContinuationStart));
                mode = "conditional";
            }
            else
            {
                tokens = scorer.TokenLogProbabilities(plain!);
                mode = "text";
                if (parse.GetValue(window) != 0 || parse.GetValue(stride) != 0)
                    perplexity = scorer.Perplexity(plain!, parse.GetValue(window), parse.GetValue(stride));
            }
            var nll = -tokens.Sum(t => t.LogProbability);
            var ppl = perplexity?.Perplexity ?? (tokens.Count == 0 ? double.NaN : Math.Exp(nll / tokens.Count));
            if (parse.GetValue(json))
            {
                context.WriteJson(new
                {
                    Mode = mode,
                    Nll = perplexity?.Nll ?? nll,
                    ScoredTokens = perplexity?.ScoredTokens ?? tokens.Count,
                    Perplexity = double.IsNaN(ppl) ? (double?)null : ppl,
                    Windows = perplexity?.Windows,
                    Tokens = tokens.Select(t => new { t.Position, t.Id, t.Piece, t.LogProbability, t.Rank }),
                });
                return 0;
            }
            context.Output.WriteLine($"{"pos",5}  {"id",7}  {"token",-20} {"log p",9}  {"rank",6}");
            foreach (var t in tokens)
                context.Output.WriteLine($"{t.Position,5}  {t.Id,7}  {t.Piece,-20} {t.LogProbability,9:0.0000}  {t.Rank,6}");
            context.Output.WriteLine(mode == "conditional" ? $"conditional NLL {nll:0.0000} over {tokens.Count} continuation tokens" : $"NLL {nll:0.0000} over {tokens.Count} tokens");
            if (perplexity is not null)
                context.Output.WriteLine($"perplexity {perplexity.Perplexity:0.0000} (sliding window: {perplexity.Windows} windows, {perplexity.ScoredTokens} tokens, NLL {perplexity.Nll:0.0000})");
            else if (tokens.Count > 0)
                context.Output.WriteLine($"perplexity {ppl:0.0000}");
            return 0;
        });
        return command;
    }
}
