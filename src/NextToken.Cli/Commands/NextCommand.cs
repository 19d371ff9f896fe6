using System.CommandLine;
using System.Text;
using NextToken.Models;

namespace NextToken.Cli.Commands;

/// <summary><c>nexttoken next "I skip across the" --top 10</c>: the next-token distribution.</summary>
internal static class NextCommand
{
    public static Command Create(CliContext context)
    {
        var prompt = new Argument<string>("prompt") { Description = "The text whose next token to predict." };
        var model = CommonOptions.Model();
        var top = new Option<int>("--top", "-k") { Description = "How many of the most likely tokens to show.", DefaultValueFactory = _ => 10, HelpName = "K" };
        var noBos = new Option<bool>("--no-bos") { Description = "Do not add the BOS token even when the tokenizer adds one." };
        var json = CommonOptions.Json();
        var threads = CommonOptions.Threads();
        var command = new Command("next", "Show the most likely next tokens after a prompt, with their probabilities.") { prompt, model, top, noBos, json, threads };
        CommandLineApp.SetAction(command, context, parse =>
        {
            var k = parse.GetValue(top);
            if (k < 1) throw new ArgumentOutOfRangeException("top", k, "--top must be at least 1");
            var text = parse.GetValue(prompt) ?? "";
            using var loaded = ModelLoading.Load(context, parse.GetValue(model), parse.GetValue(threads));
            var tokenizer = loaded.Tokenizer;
            var ids = tokenizer.Encode(text, addSpecialTokens: !parse.GetValue(noBos));
            if (ids.Length == 0) throw new ArgumentException("the prompt is empty: give some text (or drop --no-bos)", "prompt");
            using var session = loaded.CreateSession(ids.Length);
            var logits = session.Forward(ids).LastLogits;
            var best = TopTokens(logits, Math.Min(k, logits.Length));
            if (parse.GetValue(json))
            {
                context.WriteJson(new
                {
                    Prompt = text,
                    Tokens = ids,
                    Top = best.Select(b => new
                    {
                        b.Id,
                        Piece = tokenizer.TokenToPiece(b.Id),
                        Text = Encoding.UTF8.GetString(tokenizer.TokenBytes(b.Id)),
                        b.Probability,
                        b.Logit,
                    }),
                });
                return 0;
            }
            context.Output.WriteLine($"{ids.Length} prompt tokens; the {best.Count} most likely next tokens:");
            foreach (var b in best)
            {
                var piece = Encoding.UTF8.GetString(tokenizer.TokenBytes(b.Id)).Replace("\n", "\\n");
                context.Output.WriteLine($"{b.Id,8}  {("'" + piece + "'"),-20} {b.Probability * 100,7:0.0}%   logit {b.Logit:0.000}");
            }
            return 0;
        });
        return command;
    }

    internal readonly record struct Candidate(int Id, float Logit, double Probability);

    /// <summary>The k highest logits with their softmax probabilities, most likely first.</summary>
    internal static List<Candidate> TopTokens(ReadOnlySpan<float> logits, int k)
    {
        var max = float.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        double sum = 0;
        foreach (var l in logits) sum += Math.Exp(l - max);
        var order = new PriorityQueue<int, float>();
        for (var i = 0; i < logits.Length; i++)
        {
            order.Enqueue(i, logits[i]);
            if (order.Count > k) order.Dequeue();
        }
        var result = new List<Candidate>(k);
        while (order.TryDequeue(out var id, out var logit))
            result.Add(new Candidate(id, logit, Math.Exp(logit - max) / sum));
        result.Reverse();
        return result;
    }
}
