using NextToken.Numerics;
using NextToken.Numerics.Quantization;

namespace NextToken.Tests.Numerics;

public unsafe class WeightMatrixTests
{
    private static readonly ComputePool Exact1 = new(1) { QuantizeActivations = false };
    private static readonly ComputePool Int8 = new(1) { QuantizeActivations = true };

    private static WeightMatrix Random(TensorType type, int rows, int blocksPerRow, Random random, out int columns) =>
        Random(type, rows, blocksPerRow, random, out columns, out _);

    private static WeightMatrix Random(TensorType type, int rows, int blocksPerRow, Random random, out int columns, out byte[] bytes)
    {
        columns = blocksPerRow * WeightMatrix.BlockSize(type);
        if (type is TensorType.F32 or TensorType.F16 or TensorType.BF16) columns = blocksPerRow * 7;
        bytes = BlockTestData.RandomBlocks(type, (int)(rows * WeightMatrix.RowByteLength(type, columns) / WeightMatrix.BlockBytes(type)), random);
        return WeightMatrix.FromBytes(type, bytes, rows, columns);
    }

    private static double[] ReferenceExact(WeightMatrix w, float[] x, int n) => ReferenceExact(w, x, n, absolute: false);

    /// <summary>Σ_c W[r, c]·x[c] in double, or Σ_c |W[r, c]·x[c]| when <paramref name="absolute"/>.</summary>
    private static double[] ReferenceExact(WeightMatrix w, float[] x, int n, bool absolute)
    {
        var row = new float[w.Columns];
        var y = new double[n * w.Rows];
        for (var r = 0; r < w.Rows; r++)
        {
            w.DequantizeRow(r, row);
            for (var t = 0; t < n; t++)
                for (var c = 0; c < w.Columns; c++) y[t * w.Rows + r] += absolute ? Math.Abs((double)row[c] * x[t * w.Columns + c]) : (double)row[c] * x[t * w.Columns + c];
        }
        return y;
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what}: y[{i}] = {actual[i]}, expected {expected[i]}");
    }

    [Theory]
    [MemberData(nameof(BlockTestData.All), MemberType = typeof(BlockTestData))]
    public void Exact_mode_matches_dequantized_reference_on_any_thread_count(TensorType type)
    {
        var random = new Random(100 + (int)type);
        foreach (var (rows, blocks, n) in new[] { (1, 1, 1), (37, 3, 1), (19, 2, 5), (50, 1, 3) })
        {
            var w = Random(type, rows, blocks, random, out var columns);
            var x = BlockTestData.RandomFloats(n * columns, random);
            var expected = ReferenceExact(w, x, n);
            foreach (var threads in new[] { 1, 2, 3 })
            {
                using var pool = new ComputePool(threads) { QuantizeActivations = false };
                var y = new float[n * rows];
                w.MatMul(x, y, n, pool);
                AssertClose(expected, y, 1e-4, $"{type} {rows}×{columns} n={n} threads={threads}");
                if (n == 1)
                {
                    var v = new float[rows];
                    w.MatVec(x, v, pool);
                    AssertClose(expected, v, 1e-4, $"{type} MatVec");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(BlockTestData.Quantized), MemberType = typeof(BlockTestData))]
    public void Quantized_mode_is_quantized_activations_times_integer_dots(TensorType type)
    {
        var random = new Random(200 + (int)type);
        var format = BlockTestData.Activation(type);
        foreach (var (rows, blocks, n) in new[] { (1, 1, 1), (35, 2, 1), (17, 3, 4) })
        {
            var w = Random(type, rows, blocks, random, out var columns, out var weights);
            var x = BlockTestData.RandomFloats(n * columns, random);
            var activationRow = columns / ActivationQuantizer.BlockElements(format) * ActivationQuantizer.BlockBytes(format);
            var a = new byte[activationRow];
            var expected = new double[n * rows];
            var rowBytes = WeightMatrix.RowByteLength(type, columns);
            fixed (float* px = x)
            fixed (byte* pa = a)
            fixed (byte* pw = weights)
            {
                for (var t = 0; t < n; t++)
                {
                    ActivationQuantizer.Quantize(format, px + t * columns, pa, columns);
                    for (var r = 0; r < rows; r++)
                        expected[t * rows + r] = BlockTestData.DotScalar(type, pw + r * rowBytes, pa, blocks);
                }
                var exact = ReferenceExact(w, x, n);
                var magnitude = ReferenceExact(w, x, n, absolute: true);
                foreach (var threads in new[] { 1, 2 })
                {
                    using var pool = new ComputePool(threads) { QuantizeActivations = true };
                    var y = new float[n * rows];
                    w.MatMul(x, y, n, pool);
                    AssertClose(expected, y, 1e-4, $"{type} {rows}×{columns} n={n} threads={threads}");
                    // And close to the exact product, within 8-bit activation error.
                    for (var i = 0; i < y.Length; i++) Assert.True(Math.Abs(exact[i] - y[i]) <= 0.01 * magnitude[i] + 1e-4, $"{type}: {y[i]} vs exact {exact[i]}");
                }
            }
        }
    }

    [Theory]
    [InlineData(TensorType.F16)]
    [InlineData(TensorType.BF16)]
    public void Quantized_mode_rounds_activations_to_the_weight_precision(TensorType type)
    {
        var random = new Random(3);
        var w = Random(type, 9, 5, random, out var columns);
        foreach (var n in new[] { 1, 6 })
        {
            var x = BlockTestData.RandomFloats(n * columns, random);
            var rounded = x.Select(v => type == TensorType.F16 ? HalfConversion.RoundToHalf(v) : HalfConversion.BFloat16ToSingle(HalfConversion.ToBFloat16(v))).ToArray();
            var expected = ReferenceExact(w, rounded, n);
            var y = new float[n * 9];
            w.MatMul(x, y, n, Int8);
            AssertClose(expected, y, 1e-5, type.ToString());
        }
    }

    [Fact]
    public void FromFloats_computes_a_hand_checkable_product()
    {
        var w = WeightMatrix.FromFloats([1, 2, 3, 4, 5, 6], rows: 2, columns: 3);
        var y = new float[2];
        w.MatVec([1, 0, 1], y);
        Assert.Equal([4f, 10f], y);
        var row = new float[3];
        w.DequantizeRow(1, row);
        Assert.Equal([4f, 5f, 6f], row);
    }

    [Theory]
    [InlineData(TensorType.F32)]
    [InlineData(TensorType.F16)]
    [InlineData(TensorType.BF16)]
    public void Transposed_matrix_equals_the_row_major_one(TensorType type)
    {
        var random = new Random(11);
        foreach (var (rows, columns, n) in new[] { (3, 2, 1), (300, 17, 2), (513, 40, 3) })
        {
            var values = BlockTestData.RandomFloats(rows * columns, random);
            var transposed = new float[rows * columns];
            for (var r = 0; r < rows; r++)
                for (var c = 0; c < columns; c++) transposed[c * rows + r] = values[r * columns + c];
            var rowMajor = WeightMatrix.FromBytes(type, Quantizer.Quantize(type, values, columns), rows, columns);
            var bytes = Quantizer.Quantize(type, transposed, rows);
            fixed (byte* p = bytes)
            {
                var t = WeightMatrix.FromTransposed(type, rows, columns, p, bytes.Length, null);
                Assert.True(t.IsTransposed);
                var x = BlockTestData.RandomFloats(n * columns, random);
                var expected = new float[n * rows];
                var actual = new float[n * rows];
                rowMajor.MatMul(x, expected, n, Exact1);
                using var pool = new ComputePool(2) { QuantizeActivations = false };
                t.MatMul(x, actual, n, pool);
                for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4f);
                var a = new float[columns];
                var b = new float[columns];
                rowMajor.DequantizeRow(rows - 1, a);
                t.DequantizeRow(rows - 1, b);
                Assert.Equal(a, b);
            }
        }
    }

    [Fact]
    public void Construction_checks_the_shape()
    {
        var bytes = new byte[18 * 4];
        fixed (byte* pinned = bytes)
        {
            var p = (nint)pinned;
            var wrongColumns = Assert.Throws<ArgumentException>(() => new WeightMatrix(TensorType.Q4_0, 2, 48, (byte*)p, bytes.Length));
            Assert.Contains("32-value blocks", wrongColumns.Message);
            var wrongLength = Assert.Throws<ArgumentException>(() => new WeightMatrix(TensorType.Q4_0, 3, 64, (byte*)p, bytes.Length));
            Assert.Contains("takes 108 bytes", wrongLength.Message);
            Assert.Throws<ArgumentException>(() => new WeightMatrix(TensorType.Q8_K, 1, 256, (byte*)p, 292));
            Assert.Throws<ArgumentException>(() => WeightMatrix.FromTransposed(TensorType.Q4_0, 2, 64, (byte*)p, bytes.Length, null));
            var ok = new WeightMatrix(TensorType.Q4_0, 2, 64, (byte*)p, bytes.Length);
            Assert.Equal(2, ok.Rows);
            Assert.Throws<ArgumentOutOfRangeException>(() => ok.DequantizeRow(2, new float[64]));
            Assert.Throws<ArgumentException>(() => ok.MatVec(new float[63], new float[2]));
            Assert.Throws<ArgumentException>(() => ok.MatVec(new float[64], new float[1]));
        }
    }

    [Fact]
    public void Row_and_block_sizes_follow_ggml()
    {
        Assert.Equal(32, WeightMatrix.BlockSize(TensorType.Q4_0));
        Assert.Equal(256, WeightMatrix.BlockSize(TensorType.Q6_K));
        Assert.Equal(1, WeightMatrix.BlockSize(TensorType.BF16));
        Assert.Equal(2048 / 32 * 34, WeightMatrix.RowByteLength(TensorType.Q8_0, 2048));
        Assert.Equal(2048 / 256 * 210, WeightMatrix.RowByteLength(TensorType.Q6_K, 2048));
        Assert.Equal(2048 / 256 * 144, WeightMatrix.RowByteLength(TensorType.Q4_K, 2048));
        Assert.Equal(2048 / 256 * 110, WeightMatrix.RowByteLength(TensorType.Q3_K, 2048));
        Assert.Equal(2048 / 256 * 84, WeightMatrix.RowByteLength(TensorType.Q2_K, 2048));
        Assert.Equal(2048 / 256 * 176, WeightMatrix.RowByteLength(TensorType.Q5_K, 2048));
        Assert.Equal(2 * 2048, WeightMatrix.RowByteLength(TensorType.F16, 2048));
    }

    [Fact]
    public void F16_products_stay_exact_after_the_first_product_checked_the_rows()
    {
        // The first product checks each row for infinities and NaN; later ones skip the check when it found none.
        var random = new Random(12);
        const int rows = 5, columns = 96;
        var finite = new ushort[rows * columns];
        for (var i = 0; i < finite.Length; i++) finite[i] = HalfConversion.ToHalf((float)random.NextDouble() - 0.5f);
        var withInfinity = (ushort[])finite.Clone();
        withInfinity[2 * columns + 40] = 0x7c00; // +∞ in row 2
        var x = BlockTestData.RandomFloats(columns, random);
        foreach (var halves in new[] { finite, withInfinity })
        {
            var bytes = new byte[halves.Length * 2];
            Buffer.BlockCopy(halves, 0, bytes, 0, bytes.Length);
            var w = WeightMatrix.FromBytes(TensorType.F16, bytes, rows, columns);
            var expected = new float[rows];
            fixed (ushort* ph = halves)
            fixed (float* px = x)
                for (var r = 0; r < rows; r++) expected[r] = NextToken.Numerics.Kernels.FloatDot.F16Scalar(ph + r * columns, px, columns);
            for (var pass = 0; pass < 3; pass++)
            {
                var y = new float[rows];
                w.MatVec(x, y, Exact1);
                for (var r = 0; r < rows; r++)
                {
                    if (float.IsFinite(expected[r])) Assert.Equal(expected[r], y[r], 1e-4f);
                    else Assert.Equal(expected[r], y[r]);
                }
            }
        }
    }
}
