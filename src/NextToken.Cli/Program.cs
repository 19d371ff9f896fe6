namespace NextToken.Cli;

internal static class Program
{
    private static int Main(string[] args) => CommandLineApp.Run(args, Console.Out, Console.Error);
}
