using System.CommandLine;
using System.Diagnostics;
using NextToken.Models;

namespace NextToken.Cli.Commands;

/// <summary>
/// <c>nexttoken bench</c>: prefill and decode tokens per second (median of repeats), load time and peak memory,
/// measured the way llama.cpp's llama-bench measures them: prefill = one forward over the prompt tokens,
/// decode = single-token forwards after it.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var promptTokens = new Option<int>("--prompt-tokens", "-p") { Description = "Prompt length for the prefill measurement.", DefaultValueFactory = _ => 128, HelpName = "N" };
        var genTokens = new Option<int>("--gen-tokens", "-n") { Description = "Tokens to decode one at a time.", DefaultValueFactory = _ => 32, HelpName = "N" };
        var repeats = new Option<int>("--repeats", "-r") { Description = "Measured repetitions (the median is reported).", DefaultValueFactory = _ => 3, HelpName = "N" };
        var threads = CommonOptions.Threads();
        var arithmetic = CommonOptions.Arithmetic();
        var json = CommonOptions.Json();
        var command = new Command("bench", "Measure prefill and decode speed, load time and peak memory of a model.") { model, promptTokens, genTokens, repeats, threads, arithmetic, json };
        CommandLineApp.SetAction(command, context, (parse, cancellation) =>
        {
            var prompt = parse.GetValue(promptTokens);
            var gen = parse.GetValue(genTokens);
            var runs = parse.GetValue(repeats);
            if (prompt < 1) throw new ArgumentOutOfRangeException("prompt-tokens", prompt, "--prompt-tokens must be at least 1");
            if (gen < 0) throw new ArgumentOutOfRangeException("gen-tokens", gen, "--gen-tokens must be 0 or more");
            if (runs < 1) throw new ArgumentOutOfRangeException("repeats", runs, "--repeats must be at least 1");
            var quantizeActivations = CommonOptions.QuantizeActivations(parse.GetValue(arithmetic));
            var (loaded, loadTime) = ModelLoading.LoadTimed(context, parse.GetValue(model), parse.GetValue(threads), quantizeActivations);
            using var _ = loaded;
            if (prompt + gen > loaded.Info.ContextLength)
                throw new ArgumentException($"--prompt-tokens + --gen-tokens = {prompt + gen} exceeds the model's context length {loaded.Info.ContextLength}", "prompt-tokens");
            var tokens = PromptTokens(loaded, prompt);

            // Warm-up runs (the whole prompt, a few tokens), for at least a second, so the page cache and the JIT's
            // tiers are not what gets measured: on the 260K-parameter model a single warm-up left most of the measured
            // runs in not-yet-optimised code (decode 413 instead of ~3000 tokens/s).
            var warmUp = System.Diagnostics.Stopwatch.StartNew();
            do Measure(loaded, tokens, Math.Min(gen, 4));
            while (warmUp.Elapsed < TimeSpan.FromSeconds(1));
            var results = context.WithProgress("benchmarking", report =>
            {
                var list = new List<(double Prefill, double Decode)>();
                for (var i = 0; i < runs; i++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    list.Add(Measure(loaded, tokens, gen));
                    report((i + 1.0) / runs);
                }
                return list;
            });
            var prefill = Median(results.Select(r => r.Prefill));
            var decode = gen == 0 ? 0 : Median(results.Select(r => r.Decode));
            var peak = PeakResidentBytes();
            var fileBytes = ModelBytes(loaded.Info.Path);
            var report = new
            {
                Model = loaded.Info.Path,
                loaded.Info.Architecture,
                Parameters = loaded.Info.ParameterCount,
                TensorTypes = string.Join(",", loaded.Info.TensorTypes.Keys),
                Threads = parse.GetValue(threads) is > 0 and var t ? t : Environment.ProcessorCount,
                Arithmetic = quantizeActivations ? "int8" : "exact",
                PromptTokens = prompt,
                GenTokens = gen,
                Repeats = runs,
                LoadSeconds = Math.Round(loadTime.TotalSeconds, 4),
                PrefillTokensPerSecond = Math.Round(prefill, 2),
                DecodeTokensPerSecond = Math.Round(decode, 2),
                PeakMemoryBytes = peak,
                ModelFileBytes = fileBytes,
            };
            if (parse.GetValue(json)) context.WriteJson(report);
            else
            {
                context.Output.WriteLine($"model    {report.Model} ({report.Architecture}, {InfoCommand.FormatCount(report.Parameters)} parameters, {report.TensorTypes})");
                context.Output.WriteLine($"threads  {report.Threads}, {report.Arithmetic} arithmetic");
                context.Output.WriteLine($"load     {loadTime.TotalMilliseconds:0.0} ms");
                context.Output.WriteLine($"prefill  {prefill:0.00} tokens/s ({prompt} tokens, median of {runs})");
                if (gen > 0) context.Output.WriteLine($"decode   {decode:0.00} tokens/s ({gen} tokens, median of {runs})");
                context.Output.WriteLine($"memory   peak resident {peak / 1048576.0:0.0} MiB (model files {fileBytes / 1048576.0:0.0} MiB)");
            }
            return Task.FromResult(0);
        });
        return command;
    }

    private static (double Prefill, double Decode) Measure(LanguageModel model, ReadOnlySpan<int> prompt, int gen)
    {
        using var session = model.CreateSession(prompt.Length + gen);
        var clock = Stopwatch.StartNew();
        var result = session.Forward(prompt);
        var prefill = prompt.Length / clock.Elapsed.TotalSeconds;
        if (gen == 0) return (prefill, 0);
        var next = ArgMax(result.LastLogits);
        clock.Restart();
        Span<int> one = stackalloc int[1];
        for (var i = 0; i < gen; i++)
        {
            one[0] = next;
            next = ArgMax(session.Forward(one).LastLogits);
        }
        return (prefill, gen / clock.Elapsed.TotalSeconds);
    }

    /// <summary>Real text tokens repeated to the requested length, so random and real models see the same kind of input.</summary>
    private static int[] PromptTokens(LanguageModel model, int count)
    {
        const string text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends. ";
        var pieces = model.Tokenizer.Encode(text);
        var tokens = new List<int>(count);
        if (model.Tokenizer.AddsBosToken && model.Tokenizer.BosTokenId is { } bos) tokens.Add(bos);
        while (tokens.Count < count)
            foreach (var id in pieces)
            {
                if (tokens.Count == count) break;
                tokens.Add(id % model.Info.VocabularySize);
            }
        return [.. tokens];
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Peak resident set (VmHWM on Linux; the process's peak working set elsewhere).</summary>
    internal static long PeakResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0]) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    private static long ModelBytes(string path) => Directory.Exists(path)
        ? new DirectoryInfo(path).EnumerateFiles("*.safetensors").Sum(f => f.Length)
        : new FileInfo(path).Length;
}
