using System.CommandLine;
using NextToken.Cli.Commands;

namespace NextToken.Cli;

/// <summary>Builds the <c>nexttoken</c> command tree and runs it with the project's error conventions:
/// errors are one line on stderr with exit code 1, and a stack trace only under <c>--verbose</c>.</summary>
internal static class CommandLineApp
{
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show full error details (stack traces).",
        Recursive = true,
    };

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var context = new CliContext(output, error);
        // A plain command named after the installed tool, so help says `nexttoken`, not the assembly's name.
        var root = new Command("nexttoken", "NextToken: run and inspect transformer language models, one next token at a time.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
            Verbose,
        };
        foreach (var command in Commands(context)) root.Subcommands.Add(command);
        var parse = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parse.Errors.Count > 0 && !args.Any(a => a is "--help" or "-h" or "-?" or "--version"))
        {
            // One line, like every other error; the usage is one --help away.
            var usage = string.Join(' ', parse.CommandResult.Command.Name == root.Name ? [root.Name] : new[] { root.Name, parse.CommandResult.Command.Name });
            var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            error.WriteLine($"error: {first.Message} (see '{usage} --help')");
            return 1;
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    private static IEnumerable<Command> Commands(CliContext context) =>
    [
        GenerateCommand.Create(context),
        TokenizeCommand.Create(context),
        VocabCommand.Create(context),
        InfoCommand.Create(context),
        NextCommand.Create(context),
        ScoreCommand.Create(context),
        PoeCommand.Create(context),
        SpeculativeCommand.Create(context),
        BenchCommand.Create(context),
        CreateRandomCommand.Create(context),
        QuantizeCommand.Create(context),
    ];

    /// <summary>Wraps a command body: any exception becomes <c>error: message</c> on stderr and exit code 1.</summary>
    public static void SetAction(Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                return await body(parse, cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                context.Error.WriteLine("error: cancelled");
                return 130;
            }
            catch (Exception e)
            {
                context.Error.WriteLine($"error: {OneLine(e)}");
                if (parse.GetValue(Verbose)) context.Error.WriteLine(e.ToString());
                else if (!IsUserError(e)) context.Error.WriteLine("(run again with --verbose for details)");
                return 1;
            }
        });
    }

    /// <summary>Synchronous bodies.</summary>
    public static void SetAction(Command command, CliContext context, Func<ParseResult, int> body) =>
        SetAction(command, context, (parse, _) => Task.FromResult(body(parse)));

    private static bool IsUserError(Exception e) => e is FileFormatException or ArgumentException or FileNotFoundException or DirectoryNotFoundException;

    private static string OneLine(Exception e)
    {
        var message = e is ArgumentException a && a.ParamName is not null
            ? a.Message.Replace($" (Parameter '{a.ParamName}')", "", StringComparison.Ordinal)
            : e.Message;
        return string.Join("; ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
