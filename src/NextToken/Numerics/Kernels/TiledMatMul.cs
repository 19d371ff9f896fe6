using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NextToken.Numerics.Kernels;

// Performance notes. Prefill (many tokens) is compute-bound, so the goal is FMAs per load. Tried first: one
// integer dot product per (row, token) pair, rows chunked so a chunk stays in cache — 5–8 GFLOP/s, because every
// pair unpacks the weight block again and reduces horizontally per block. This way: a tile of 4 weight rows is
// decoded to float32 once (F32 rows are used in place), then a 4-row × 3-token register tile of 12 vector
// accumulators walks the columns, so each weight vector loaded feeds 3 FMAs and each activation vector 4. The
// horizontal sums happen once per (row, token) at the end. In llama.cpp mode the activations were already quantized
// and decoded back to floats (d·q: exact for the f16 scales of Q8_0/Q8_1, one rounding for Q8_K's f32 scale), so the
// sums equal llama.cpp's integer sums up to float rounding (~1e-7 relative). 512-bit vectors are used where the
// JIT reports them accelerated (AVX-512 machines such as Zen 4/5), else 256-bit.

/// <summary>The register-tiled float matrix product used for prompts: y[t, r] = Σ_c W[r, c] · x[t, c].</summary>
internal static unsafe class TiledMatMul
{
    public const int TileRows = 4;
    public const int TileTokens = 3;

    /// <summary>
    /// Products of up to 4 weight rows (<paramref name="w"/>, rows <paramref name="wStride"/> floats apart) with every
    /// token of <paramref name="x"/> (<paramref name="n"/> rows of <paramref name="columns"/>), written to y[t·yStride + r].
    /// </summary>
    public static void RowsTimesTokens(float* w, long wStride, int rows, float* x, int n, int columns, float* y, long yStride)
    {
        var sums = stackalloc float[TileRows * TileTokens];
        var w0 = w;
        var w1 = rows > 1 ? w + wStride : w;
        var w2 = rows > 2 ? w + 2 * wStride : w;
        var w3 = rows > 3 ? w + 3 * wStride : w;
        for (var t = 0; t < n; t += TileTokens)
        {
            var tokens = Math.Min(TileTokens, n - t);
            var x0 = x + (long)t * columns;
            var x1 = tokens > 1 ? x0 + columns : x0;
            var x2 = tokens > 2 ? x0 + 2L * columns : x0;
            Tile(w0, w1, w2, w3, x0, x1, x2, columns, sums);
            for (var i = 0; i < tokens; i++)
                for (var r = 0; r < rows; r++) y[(t + i) * yStride + r] = sums[r * TileTokens + i];
        }
    }

    /// <summary>The 4 × 3 register tile over all columns; sums[r·3 + t].</summary>
    private static void Tile(float* w0, float* w1, float* w2, float* w3, float* x0, float* x1, float* x2, int columns, float* sums)
    {
        var c = 0;
        if (Vector512.IsHardwareAccelerated && columns >= 16)
        {
            Tile512(w0, w1, w2, w3, x0, x1, x2, columns & ~15, sums);
            c = columns & ~15;
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> a00 = default, a01 = default, a02 = default;
            Vector256<float> a10 = default, a11 = default, a12 = default;
            Vector256<float> a20 = default, a21 = default, a22 = default;
            Vector256<float> a30 = default, a31 = default, a32 = default;
            for (; c + 8 <= columns; c += 8)
            {
                var v0 = Vector256.Load(x0 + c);
                var v1 = Vector256.Load(x1 + c);
                var v2 = Vector256.Load(x2 + c);
                var r = Vector256.Load(w0 + c);
                a00 = Vector256.FusedMultiplyAdd(r, v0, a00);
                a01 = Vector256.FusedMultiplyAdd(r, v1, a01);
                a02 = Vector256.FusedMultiplyAdd(r, v2, a02);
                r = Vector256.Load(w1 + c);
                a10 = Vector256.FusedMultiplyAdd(r, v0, a10);
                a11 = Vector256.FusedMultiplyAdd(r, v1, a11);
                a12 = Vector256.FusedMultiplyAdd(r, v2, a12);
                r = Vector256.Load(w2 + c);
                a20 = Vector256.FusedMultiplyAdd(r, v0, a20);
                a21 = Vector256.FusedMultiplyAdd(r, v1, a21);
                a22 = Vector256.FusedMultiplyAdd(r, v2, a22);
                r = Vector256.Load(w3 + c);
                a30 = Vector256.FusedMultiplyAdd(r, v0, a30);
                a31 = Vector256.FusedMultiplyAdd(r, v1, a31);
                a32 = Vector256.FusedMultiplyAdd(r, v2, a32);
            }
            sums[0] = Vector256.Sum(a00); sums[1] = Vector256.Sum(a01); sums[2] = Vector256.Sum(a02);
            sums[3] = Vector256.Sum(a10); sums[4] = Vector256.Sum(a11); sums[5] = Vector256.Sum(a12);
            sums[6] = Vector256.Sum(a20); sums[7] = Vector256.Sum(a21); sums[8] = Vector256.Sum(a22);
            sums[9] = Vector256.Sum(a30); sums[10] = Vector256.Sum(a31); sums[11] = Vector256.Sum(a32);
        }
        else
        {
            new Span<float>(sums, 12).Clear();
        }
        for (; c < columns; c++)
        {
            sums[0] += w0[c] * x0[c]; sums[1] += w0[c] * x1[c]; sums[2] += w0[c] * x2[c];
            sums[3] += w1[c] * x0[c]; sums[4] += w1[c] * x1[c]; sums[5] += w1[c] * x2[c];
            sums[6] += w2[c] * x0[c]; sums[7] += w2[c] * x1[c]; sums[8] += w2[c] * x2[c];
            sums[9] += w3[c] * x0[c]; sums[10] += w3[c] * x1[c]; sums[11] += w3[c] * x2[c];
        }
    }

    /// <summary>The same tile with 512-bit vectors over the first <paramref name="columns"/> (a multiple of 16) columns.</summary>
    internal static void Tile512(float* w0, float* w1, float* w2, float* w3, float* x0, float* x1, float* x2, int columns, float* sums)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default;
        for (var c = 0; c < columns; c += 16)
        {
            var v0 = Vector512.Load(x0 + c);
            var v1 = Vector512.Load(x1 + c);
            var v2 = Vector512.Load(x2 + c);
            var r = Vector512.Load(w0 + c);
            a00 = Vector512.FusedMultiplyAdd(r, v0, a00);
            a01 = Vector512.FusedMultiplyAdd(r, v1, a01);
            a02 = Vector512.FusedMultiplyAdd(r, v2, a02);
            r = Vector512.Load(w1 + c);
            a10 = Vector512.FusedMultiplyAdd(r, v0, a10);
            a11 = Vector512.FusedMultiplyAdd(r, v1, a11);
            a12 = Vector512.FusedMultiplyAdd(r, v2, a12);
            r = Vector512.Load(w2 + c);
            a20 = Vector512.FusedMultiplyAdd(r, v0, a20);
            a21 = Vector512.FusedMultiplyAdd(r, v1, a21);
            a22 = Vector512.FusedMultiplyAdd(r, v2, a22);
            r = Vector512.Load(w3 + c);
            a30 = Vector512.FusedMultiplyAdd(r, v0, a30);
            a31 = Vector512.FusedMultiplyAdd(r, v1, a31);
            a32 = Vector512.FusedMultiplyAdd(r, v2, a32);
        }
        sums[0] = Vector512.Sum(a00); sums[1] = Vector512.Sum(a01); sums[2] = Vector512.Sum(a02);
        sums[3] = Vector512.Sum(a10); sums[4] = Vector512.Sum(a11); sums[5] = Vector512.Sum(a12);
        sums[6] = Vector512.Sum(a20); sums[7] = Vector512.Sum(a21); sums[8] = Vector512.Sum(a22);
        sums[9] = Vector512.Sum(a30); sums[10] = Vector512.Sum(a31); sums[11] = Vector512.Sum(a32);
    }

    /// <summary>Scalar twin: the same products one by one.</summary>
    public static void RowsTimesTokensScalar(float* w, long wStride, int rows, float* x, int n, int columns, float* y, long yStride)
    {
        for (var t = 0; t < n; t++)
            for (var r = 0; r < rows; r++)
                y[t * yStride + r] = FloatDot.F32Scalar(w + r * wStride, x + (long)t * columns, columns);
    }
}
