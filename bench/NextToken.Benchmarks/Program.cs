using BenchmarkDotNet.Running;

namespace NextToken.Benchmarks;

/// <summary>Micro-benchmarks: <c>dotnet run -c Release --project bench/NextToken.Benchmarks -- --filter '*'</c>;
/// tokenizer throughput: <c>… -- tokenizers &lt;corpus-file&gt;</c>;
/// one matrix product: <c>… -- matmul TYPE ROWS COLUMNS TOKENS [THREADS] [exact|int8]</c>.</summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "tokenizers") Tokenizers.TokenizerThroughput.Run(args);
        else if (args.Length > 0 && args[0] == "matmul") Kernels.MatMulThroughput.Run(args);
        else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
