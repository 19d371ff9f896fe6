using System.CommandLine;

namespace NextToken.Cli;

/// <summary>Builds the <c>nexttoken</c> command tree and runs it with the project's error conventions.</summary>
internal static class CommandLineApp
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("NextToken: run and inspect transformer language models, one next token at a time.");
        var parse = root.Parse(args);
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
