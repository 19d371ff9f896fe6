using System.Diagnostics;
using NextToken.Models;

namespace NextToken.Cli;

/// <summary>Loads <c>--model</c> (or the embedded default) the same way for every command.</summary>
internal static class ModelLoading
{
    public static LanguageModel Load(CliContext context, string? given, int threads = 0, bool quantizeActivations = false)
    {
        var path = CommonOptions.ResolveModelPath(given);
        var options = new ModelOptions { Threads = threads, QuantizeActivations = quantizeActivations };
        return context.WithProgress($"loading {Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}", _ => LanguageModel.Load(path, options));
    }

    /// <summary>Loads and measures how long it took.</summary>
    public static (LanguageModel Model, TimeSpan Elapsed) LoadTimed(CliContext context, string? given, int threads, bool quantizeActivations)
    {
        var clock = Stopwatch.StartNew();
        var model = Load(context, given, threads, quantizeActivations);
        return (model, clock.Elapsed);
    }
}
