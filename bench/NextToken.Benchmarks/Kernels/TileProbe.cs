using System.Diagnostics;
namespace NextToken.Benchmarks.Kernels;
public static unsafe class TileProbe
{
    public static void Run(string[] args)
    {
        var depth = int.Parse(args[1]);
        var w = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(6 * depth * 4), 64);
        var x = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(16 * depth * 4), 64);
        var acc = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(6 * 16 * 4, 64);
        for (var i = 0; i < 6 * depth; i++) w[i] = 0.001f * (i % 7);
        for (var i = 0; i < 16 * depth; i++) x[i] = 0.001f * (i % 5);
        for (var i = 0; i < 96; i++) acc[i] = 0;
        for (var rep = 0; rep < 3; rep++)
        {
            var sw = Stopwatch.StartNew();
            long calls = 0;
            while (sw.ElapsedMilliseconds < 1000) { for (var i = 0; i < 1000; i++) NextToken.Numerics.Kernels.PackedMatMul.Tile16(w, depth, 6, x, depth, acc, 16); calls += 1000; }
            Console.WriteLine($"depth {depth}: {calls * 6.0 * 16 * depth * 2 / sw.Elapsed.TotalSeconds / 1e9:F1} GFLOP/s");
        }
    }
}
