using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NextToken.Numerics.Kernels;

// Performance notes. A prompt's products are compute-bound: the goal is two FMAs every cycle. The first prompt kernel
// (a 4-row × 3-token tile of dot products over whole rows, horizontal sums at the end) reached ~55 GFLOP/s per core
// here: 7 loads fed 12 FMAs, the rows and token rows (16–90 KB each) came from L2 on every pass, and each
// (row, token) was reduced horizontally. This one is the classic packed layout. The tokens are packed once per
// product into panels of 16 (for each column, 16 consecutive floats), so a column of a panel is two vectors; a
// register tile of 6 weight rows × 16 tokens keeps 12 accumulators, and each column costs 2 vector loads, 6
// broadcasts and 12 FMAs, with nothing to reduce at the end. Columns go in depth blocks of 256: 24 weight rows are
// decoded to floats once per depth block for every token (24 KB), each token panel's slice (16 KB) is used by the
// 4 register tiles in turn, and sums wait in a per-thread accumulator tile until the panel of rows is done.
// Measured (2 threads, 128 tokens, Q8_0 2048×2048 and 2048×5632): 110–125 GFLOP/s against ~105 for the old tile on
// the same products; depth blocks of 128 measured 10% slower (more tile calls), 512 the same as 256. The AVX2 FMA
// peak of this machine is ~98 GFLOP/s per core; the 6×16 tile itself, in L1, runs at ~78 (gcc's build of the same
// tile measured the same: 8 loads per 12 FMAs), so 16 registers bound this layout, not the JIT.
// The kernels are compiled fully optimised at once (AggressiveOptimization): a prompt calls them a few thousand times,
// and tiered compilation would run its first prompt through unoptimised code (32 instead of 45 tokens/s on the 1.1B
// bench). They read no static fields, which such methods would check for initialisation inside their loops.

/// <summary>
/// The matrix product used for prompts: y[t, r] = Σ_c W[r, c] · x[t, c], with W supplied a block of rows and columns
/// at a time as floats (decoded from any weight type) and x packed into token panels by <see cref="PackTokens"/>.
/// </summary>
internal static unsafe class PackedMatMul
{
    /// <summary>Tokens per packed panel (two 8-lane vectors); a last panel of at most 8 tokens is 8 wide.</summary>
    public const int PanelTokens = 16;

    /// <summary>Weight rows in one register tile.</summary>
    public const int TileRows = 6;

    /// <summary>Weight rows decoded together (a multiple of <see cref="TileRows"/>).</summary>
    public const int PanelRows = 18;

    /// <summary>Columns per depth block (256 for the K-quants, whose blocks are that long).</summary>
    public const int DepthBlock = 256;

    [ThreadStatic] private static float[]? t_accumulators;
    [ThreadStatic] private static float[]? t_weights;

    /// <summary>
    /// y[t, r] = Σ_c W[r, c] · x[t, c] for every row and token; <paramref name="decode"/> supplies W as floats, in
    /// column ranges that are whole multiples of <paramref name="blockElements"/>. Rows go to the pool's threads in
    /// panels of <see cref="PanelRows"/>.
    /// </summary>
    public static void Multiply(DecodeRows decode, int blockElements, int rows, int columns, float* x, float* y, int n, ComputePool pool)
    {
        var depthBlock = Math.Max(DepthBlock, blockElements);
        var packedBuffer = System.Buffers.ArrayPool<float>.Shared.Rent(checked((int)PackedLength(n, columns)));
        try
        {
            fixed (float* packed = packedBuffer)
            {
                var input = (nint)packed;
                var source = (nint)x;
                pool.For((n + PanelTokens - 1) / PanelTokens, (first, last) => PackPanels((float*)source, n, columns, (float*)input, first, last));
                var output = (nint)y;
                var padded = PanelStart(n) + LastPanelWidth(n);
                pool.For((rows + PanelRows - 1) / PanelRows, (first, last) =>
                {
                    var accumulators = t_accumulators;
                    if (accumulators is null || accumulators.Length < PanelRows * padded)
                        t_accumulators = accumulators = GC.AllocateUninitializedArray<float>(PanelRows * padded, pinned: true);
                    var weights = t_weights;
                    if (weights is null || weights.Length < PanelRows * depthBlock)
                        t_weights = weights = GC.AllocateUninitializedArray<float>(PanelRows * depthBlock, pinned: true);
                    fixed (float* a = accumulators)
                    fixed (float* w = weights)
                        Rows(decode, depthBlock, first * PanelRows, Math.Min(rows, last * PanelRows), rows, columns,
                            (float*)input, n, (float*)output, a, w);
                });
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(packedBuffer);
        }
    }

    /// <summary>Floats <see cref="PackTokens"/> writes for <paramref name="n"/> tokens of <paramref name="columns"/>.</summary>
    public static long PackedLength(int n, int columns) => (long)PanelStart(n) * columns + (long)LastPanelWidth(n) * columns;

    /// <summary>Index of the first token of the last (possibly narrower) panel.</summary>
    private static int PanelStart(int n) => (n - 1) / PanelTokens * PanelTokens;

    /// <summary>Width (8 or 16) of the last panel.</summary>
    private static int LastPanelWidth(int n) => n - PanelStart(n) <= 8 ? 8 : PanelTokens;

    /// <summary>
    /// Packs x [n, columns] into panels: panel p (tokens 16p…) holds, for each column c, its tokens' x[t, c] side by
    /// side (16 floats, or 8 in a narrow last panel), zeros for tokens past n.
    /// </summary>
    public static void PackTokens(float* x, int n, int columns, float* packed) =>
        PackPanels(x, n, columns, packed, 0, (n + PanelTokens - 1) / PanelTokens);

    /// <summary>Packs the panels [<paramref name="firstPanel"/>, <paramref name="endPanel"/>) only.</summary>
    private static void PackPanels(float* x, int n, int columns, float* packed, int firstPanel, int endPanel)
    {
        for (var start = firstPanel * PanelTokens; start < n && start < endPanel * PanelTokens; start += PanelTokens)
        {
            var width = start == PanelStart(n) ? LastPanelWidth(n) : PanelTokens;
            var panel = packed + (long)start * columns;
            var tokens = Math.Min(width, n - start);
            if (tokens < width) new Span<float>(panel, width * columns).Clear();
            for (var t = 0; t < tokens; t++)
            {
                var source = x + (long)(start + t) * columns;
                var destination = panel + t;
                for (var c = 0; c < columns; c++) destination[(long)c * width] = source[c];
            }
        }
    }

    /// <summary>Writes W's rows [<paramref name="row"/>, +<paramref name="count"/>) at columns [<paramref name="column"/>, +<paramref name="depth"/>) as floats, row after row, <paramref name="depth"/> apart.</summary>
    public delegate void DecodeRows(int row, int count, int column, int depth, float* destination);

    /// <summary>
    /// y[t, r] for the rows [<paramref name="firstRow"/>, <paramref name="endRow"/>) and every token, W decoded by
    /// <paramref name="decode"/>, <paramref name="depthBlock"/> columns at a time. <paramref name="accumulators"/> holds
    /// <see cref="PanelRows"/> × padded-n floats, <paramref name="weights"/> <see cref="PanelRows"/> × <paramref name="depthBlock"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(DecodeRows decode, int depthBlock, int firstRow, int endRow, int rows, int columns, float* packed, int n, float* y,
        float* accumulators, float* weights)
    {
        var padded = PanelStart(n) + LastPanelWidth(n);
        for (var r0 = firstRow; r0 < endRow; r0 += PanelRows)
        {
            var count = Math.Min(PanelRows, endRow - r0);
            new Span<float>(accumulators, PanelRows * padded).Clear();
            for (var c0 = 0; c0 < columns; c0 += depthBlock)
            {
                var depth = Math.Min(depthBlock, columns - c0);
                decode(r0, count, c0, depth, weights);
                for (var start = 0; start < n; start += PanelTokens)
                {
                    var width = start == PanelStart(n) ? LastPanelWidth(n) : PanelTokens;
                    var x = packed + (long)start * columns + (long)c0 * width;
                    for (var tile = 0; tile < count; tile += TileRows)
                    {
                        var w = weights + tile * depth;
                        var valid = Math.Min(TileRows, count - tile);
                        var acc = accumulators + tile * padded + start;
                        if (width == PanelTokens) Tile16(w, depth, valid, x, depth, acc, padded);
                        else Tile8(w, depth, valid, x, depth, acc, padded);
                    }
                }
            }
            for (var t = 0; t < n; t++)
                for (var i = 0; i < count; i++) y[(long)t * rows + r0 + i] = accumulators[i * padded + t];
        }
    }

    /// <summary>
    /// acc[i, 0..16) += Σ_k w[i, k] · x[k, 0..16) for the 6 rows of <paramref name="w"/> (<paramref name="wStride"/>
    /// apart; rows past <paramref name="valid"/> repeat the first, their sums land in rows the caller ignores).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile16(float* w, int wStride, int valid, float* x, int depth, float* acc, int accStride)
    {
        var w0 = w;
        var w1 = Nth(w, wStride, valid, 1);
        var w2 = Nth(w, wStride, valid, 2);
        var w3 = Nth(w, wStride, valid, 3);
        var w4 = Nth(w, wStride, valid, 4);
        var w5 = Nth(w, wStride, valid, 5);
        var a0 = acc;
        var a1 = acc + accStride;
        var a2 = acc + 2 * accStride;
        var a3 = acc + 3 * accStride;
        var a4 = acc + 4 * accStride;
        var a5 = acc + 5 * accStride;
        Vector256<float> s00 = Vector256.Load(a0), s01 = Vector256.Load(a0 + 8);
        Vector256<float> s10 = Vector256.Load(a1), s11 = Vector256.Load(a1 + 8);
        Vector256<float> s20 = Vector256.Load(a2), s21 = Vector256.Load(a2 + 8);
        Vector256<float> s30 = Vector256.Load(a3), s31 = Vector256.Load(a3 + 8);
        Vector256<float> s40 = Vector256.Load(a4), s41 = Vector256.Load(a4 + 8);
        Vector256<float> s50 = Vector256.Load(a5), s51 = Vector256.Load(a5 + 8);
        for (var k = 0; k < depth; k++, x += 16)
        {
            var x0 = Vector256.Load(x);
            var x1 = Vector256.Load(x + 8);
            var b = Vector256.Create(w0[k]);
            s00 = Vector256.FusedMultiplyAdd(b, x0, s00);
            s01 = Vector256.FusedMultiplyAdd(b, x1, s01);
            b = Vector256.Create(w1[k]);
            s10 = Vector256.FusedMultiplyAdd(b, x0, s10);
            s11 = Vector256.FusedMultiplyAdd(b, x1, s11);
            b = Vector256.Create(w2[k]);
            s20 = Vector256.FusedMultiplyAdd(b, x0, s20);
            s21 = Vector256.FusedMultiplyAdd(b, x1, s21);
            b = Vector256.Create(w3[k]);
            s30 = Vector256.FusedMultiplyAdd(b, x0, s30);
            s31 = Vector256.FusedMultiplyAdd(b, x1, s31);
            b = Vector256.Create(w4[k]);
            s40 = Vector256.FusedMultiplyAdd(b, x0, s40);
            s41 = Vector256.FusedMultiplyAdd(b, x1, s41);
            b = Vector256.Create(w5[k]);
            s50 = Vector256.FusedMultiplyAdd(b, x0, s50);
            s51 = Vector256.FusedMultiplyAdd(b, x1, s51);
        }
        s00.Store(a0); s01.Store(a0 + 8);
        s10.Store(a1); s11.Store(a1 + 8);
        s20.Store(a2); s21.Store(a2 + 8);
        s30.Store(a3); s31.Store(a3 + 8);
        s40.Store(a4); s41.Store(a4 + 8);
        s50.Store(a5); s51.Store(a5 + 8);
    }

    /// <summary>Row <paramref name="i"/> of <paramref name="count"/> rows <paramref name="stride"/> floats apart, or the first row past the last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Nth(float* first, int stride, int count, int i) => i < count ? first + i * stride : first;

    /// <summary>The same for a panel of 8 tokens (one vector per row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8(float* w, int wStride, int valid, float* x, int depth, float* acc, int accStride)
    {
        var w0 = w;
        var w1 = Nth(w, wStride, valid, 1);
        var w2 = Nth(w, wStride, valid, 2);
        var w3 = Nth(w, wStride, valid, 3);
        var w4 = Nth(w, wStride, valid, 4);
        var w5 = Nth(w, wStride, valid, 5);
        var s0 = Vector256.Load(acc);
        var s1 = Vector256.Load(acc + accStride);
        var s2 = Vector256.Load(acc + 2 * accStride);
        var s3 = Vector256.Load(acc + 3 * accStride);
        var s4 = Vector256.Load(acc + 4 * accStride);
        var s5 = Vector256.Load(acc + 5 * accStride);
        for (var k = 0; k < depth; k++, x += 8)
        {
            var x0 = Vector256.Load(x);
            s0 = Vector256.FusedMultiplyAdd(Vector256.Create(w0[k]), x0, s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Create(w1[k]), x0, s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.Create(w2[k]), x0, s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.Create(w3[k]), x0, s3);
            s4 = Vector256.FusedMultiplyAdd(Vector256.Create(w4[k]), x0, s4);
            s5 = Vector256.FusedMultiplyAdd(Vector256.Create(w5[k]), x0, s5);
        }
        s0.Store(acc);
        s1.Store(acc + accStride);
        s2.Store(acc + 2 * accStride);
        s3.Store(acc + 3 * accStride);
        s4.Store(acc + 4 * accStride);
        s5.Store(acc + 5 * accStride);
    }

    /// <summary>Scalar twin: y[t, r] = Σ_c w[r, c] · x[t, c] one product at a time, w row-major floats.</summary>
    public static void RowsScalar(float* w, int rows, int columns, float* x, int n, float* y)
    {
        for (var t = 0; t < n; t++)
            for (var r = 0; r < rows; r++)
                y[(long)t * rows + r] = FloatDot.F32Scalar(w + (long)r * columns, x + (long)t * columns, columns);
    }
}
