using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace NextToken.Numerics.Kernels;

// Performance notes. A decode step streams every weight from memory once, so a matrix-vector product runs at the
// speed memory delivers bytes to a core. The hardware prefetchers alone kept a core's stream at 11 GB/s on this
// machine (16.5 GB/s for two threads on a 16384×2048 Q8_0 matrix); asking for the line 1 KB ahead of the block being
// multiplied keeps more misses in flight: 24.3 GB/s for two threads (512 B ahead: 23.8, 2 KB: 24.1).

/// <summary>Software prefetch of the weight stream in the row kernels.</summary>
internal static unsafe class Prefetch
{
    /// <summary>How far ahead of the current weight byte the kernels ask for memory.</summary>
    public const int Distance = 1024;

    /// <summary>Asks for the cache line <see cref="Distance"/> bytes after <paramref name="p"/> (never faults).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Ahead(byte* p)
    {
        if (Sse.IsSupported) Sse.Prefetch0(p + Distance);
    }
}
