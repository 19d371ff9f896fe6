using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace NextToken.Cli;

/// <summary>Where a command writes, and how: plain text or JSON, a terminal (colours, progress bars) or a pipe.</summary>
internal sealed class CliContext
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };

    public CliContext(TextWriter output, TextWriter error)
    {
        Output = output;
        Error = error;
        // Only the real console, not redirected, counts as a terminal: tests and pipes get plain, quiet output.
        IsTerminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!IsTerminal) Ansi.Profile.Width = 160;
    }

    public TextWriter Output { get; }
    public TextWriter Error { get; }
    public bool IsTerminal { get; }

    /// <summary>Spectre console over <see cref="Output"/>, for tables.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>Writes a value as indented JSON with snake_case names.</summary>
    public void WriteJson<T>(T value) => Output.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>Runs long work with a progress bar on a terminal; silently otherwise.</summary>
    public T WithProgress<T>(string description, Func<Action<double>, T> work)
    {
        if (!IsTerminal) return work(_ => { });
        T result = default!;
        Ansi.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(p =>
            {
                var task = p.AddTask(description, maxValue: 1.0);
                result = work(fraction => task.Value = Math.Clamp(fraction, 0, 1));
                task.Value = 1.0;
            });
        return result;
    }
}
