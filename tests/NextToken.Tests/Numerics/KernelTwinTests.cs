using NextToken.Numerics;
using NextToken.Numerics.Kernels;
using NextToken.Numerics.Quantization;

namespace NextToken.Tests.Numerics;

/// <summary>Every vectorised kernel against its scalar twin, over many lengths so the SIMD tails are hit.</summary>
public unsafe class KernelTwinTests
{
    [Theory]
    [MemberData(nameof(BlockTestData.Quantized), MemberType = typeof(BlockTestData))]
    public void Fast_integer_dot_matches_scalar_over_1_to_20_blocks(TensorType type)
    {
        var random = new Random(77 + (int)type);
        var blockSize = WeightMatrix.BlockSize(type);
        var format = BlockTestData.Activation(type);
        for (var blocks = 1; blocks <= 20; blocks++)
        {
            var n = blocks * blockSize;
            var w = BlockTestData.RandomBlocks(type, blocks, random);
            var x = BlockTestData.RandomFloats(n, random, scale: 3);
            var a = new byte[n / ActivationQuantizer.BlockElements(format) * ActivationQuantizer.BlockBytes(format)];
            fixed (byte* pw = w)
            fixed (byte* pa = a)
            fixed (float* px = x)
            {
                ActivationQuantizer.Quantize(format, px, pa, n);
                var scalar = BlockTestData.DotScalar(type, pw, pa, blocks);
                var fast = BlockTestData.DotFast(type, pw, pa, blocks);
                Assert.True(Math.Abs(fast - scalar) <= 1e-5f * (1 + Math.Abs(scalar)) + 1e-4f * blocks, $"{type} × {blocks}: fast {fast}, scalar {scalar}");
            }
        }
    }

    [Theory]
    [InlineData("Q8_0")]
    [InlineData("Q8_1")]
    [InlineData("Q8_0Sums")]
    public void Vector_activation_quantizer_is_bit_identical_to_scalar(string formatName)
    {
        var format = Enum.Parse<ActivationFormat>(formatName);
        var random = new Random(5);
        var bytes = ActivationQuantizer.BlockBytes(format);
        var fast = new byte[bytes];
        var scalar = new byte[bytes];
        for (var trial = 0; trial < 200; trial++)
        {
            var x = BlockTestData.RandomFloats(32, random, scale: (float)Math.Pow(10, random.Next(-4, 4)));
            if (trial % 10 == 0) Array.Clear(x);
            if (trial % 10 == 1) for (var i = 0; i < 32; i++) x[i] = (i - 16) * 0.5f; // exact ties at x·127/amax
            fixed (float* px = x)
            fixed (byte* pf = fast)
            fixed (byte* ps = scalar)
            {
                ActivationQuantizer.Quantize(format, px, pf, 32);
                ActivationQuantizer.QuantizeQ8_0BlockScalar(px, ps, format);
            }
            Assert.Equal(scalar, fast);
        }
    }

    [Fact]
    public void Q8_0_sums_blocks_hold_the_q8_0_quants_the_widened_scale_and_the_sum()
    {
        var random = new Random(6);
        var x = BlockTestData.RandomFloats(64, random, scale: 2);
        var plain = new byte[2 * ActivationQuantizer.Q8_0Bytes];
        var sums = new byte[2 * ActivationQuantizer.Q8_0SumsBytes];
        fixed (float* px = x)
        fixed (byte* pp = plain)
        fixed (byte* ps = sums)
        {
            ActivationQuantizer.Quantize(ActivationFormat.Q8_0, px, pp, 64);
            ActivationQuantizer.Quantize(ActivationFormat.Q8_0Sums, px, ps, 64);
            for (var b = 0; b < 2; b++)
            {
                var p = pp + b * ActivationQuantizer.Q8_0Bytes;
                var s = ps + b * ActivationQuantizer.Q8_0SumsBytes;
                Assert.Equal(HalfConversion.Read(p), *(float*)s);
                var sum = 0;
                for (var j = 0; j < 32; j++)
                {
                    Assert.Equal(((sbyte*)(p + 2))[j], ((sbyte*)(s + 8))[j]);
                    sum += ((sbyte*)(s + 8))[j];
                }
                Assert.Equal(sum, *(int*)(s + 4));
            }
        }
    }

    [Theory]
    [InlineData(TensorType.Q8_0)]
    [InlineData(TensorType.Q4_0)]
    [InlineData(TensorType.Q4_K)]
    [InlineData(TensorType.Q5_K)]
    [InlineData(TensorType.Q6_K)]
    public void Integer_tiles_equal_the_one_token_kernel_bit_for_bit(TensorType type)
    {
        // A prompt in 8-bit arithmetic must give exactly what its tokens give one at a time.
        var random = new Random(31 + (int)type);
        var format = BlockTestData.Activation(type);
        var activationBytes = ActivationQuantizer.BlockBytes(format);
        var blockSize = WeightMatrix.BlockSize(type);
        var (tileRows, tileTokens) = IntegerTile.Shape(type);
        foreach (var blocks in new[] { 1, 3, 16 })
            for (var rows = 1; rows <= Math.Max(2, tileRows); rows++)
                for (var tokens = 1; tokens <= tileTokens; tokens++)
                {
                    var rowBytes = blocks * WeightMatrix.BlockBytes(type);
                    var w = BlockTestData.RandomBlocks(type, rows * blocks, random);
                    var x = BlockTestData.RandomFloats(tokens * blocks * blockSize, random, scale: 3);
                    var a = new byte[tokens * blocks * activationBytes];
                    var y = new float[tokens * 5];
                    fixed (byte* pw = w)
                    fixed (byte* pa = a)
                    fixed (float* px = x)
                    fixed (float* py = y)
                    {
                        ActivationQuantizer.Quantize(format, px, pa, tokens * blocks * blockSize);
                        if (type == TensorType.Q8_0) IntegerTile.Q8_0(pw, rowBytes, rows, pa, blocks * activationBytes, tokens, blocks, py, 5);
                        else if (type == TensorType.Q4_0) IntegerTile.Q4_0(pw, rowBytes, rows, pa, blocks * activationBytes, tokens, blocks, py, 5);
                        else if (type == TensorType.Q4_K) for (var r = 0; r < rows; r++) IntegerTile.Q4_K(pw + r * rowBytes, pa, blocks * activationBytes, tokens, blocks, py + r, 5);
                        else if (type == TensorType.Q5_K) for (var r = 0; r < rows; r++) IntegerTile.Q5_K(pw + r * rowBytes, pa, blocks * activationBytes, tokens, blocks, py + r, 5);
                        else for (var r = 0; r < rows; r++) IntegerTile.Q6_K(pw + r * rowBytes, pa, blocks * activationBytes, tokens, blocks, py + r, 5);
                        for (var t = 0; t < tokens; t++)
                            for (var r = 0; r < rows; r++)
                            {
                                var one = BlockTestData.DotFast(type, pw + r * rowBytes, pa + t * blocks * activationBytes, blocks);
                                Assert.Equal(BitConverter.SingleToInt32Bits(one), BitConverter.SingleToInt32Bits(y[t * 5 + r]));
                            }
                    }
                }
    }

    [Fact]
    public void Float_dots_match_scalar_for_every_length()
    {
        var random = new Random(9);
        for (var n = 0; n <= 200; n++)
        {
            var w = BlockTestData.RandomFloats(n, random);
            var x = BlockTestData.RandomFloats(n, random);
            var halves = new ushort[n];
            var bfloats = new ushort[n];
            for (var i = 0; i < n; i++)
            {
                halves[i] = HalfConversion.ToHalf(w[i]);
                bfloats[i] = HalfConversion.ToBFloat16(w[i]);
            }
            fixed (float* pw = w)
            fixed (float* px = x)
            fixed (ushort* ph = halves)
            fixed (ushort* pb = bfloats)
            {
                Assert.Equal(FloatDot.F32Scalar(pw, px, n), FloatDot.F32(pw, px, n), 1e-4f);
                Assert.Equal(FloatDot.F16Scalar(ph, px, n), FloatDot.F16(ph, px, n), 1e-4f);
                Assert.Equal(FloatDot.F16Scalar(ph, px, n), FloatDot.F16Finite(ph, px, n), 1e-4f);
                Assert.Equal(FloatDot.BF16Scalar(pb, px, n), FloatDot.BF16(pb, px, n), 1e-4f);
            }
        }
    }

    [Fact]
    public void Vector_half_conversion_matches_scalar_for_every_half()
    {
        var values = new uint[8];
        var result = new float[8];
        for (var h = 0; h < 65536; h += 8)
        {
            for (var i = 0; i < 8; i++) values[i] = (uint)(h + i);
            fixed (uint* pv = values)
                System.Runtime.Intrinsics.Vector256.CopyTo(FloatDot.HalfToSingle(System.Runtime.Intrinsics.Vector256.Load(pv)), result);
            for (var i = 0; i < 8; i++)
            {
                var expected = (float)BitConverter.UInt16BitsToHalf((ushort)(h + i));
                Assert.Equal(BitConverter.SingleToUInt32Bits(HalfConversion.ToSingle((ushort)(h + i))), BitConverter.SingleToUInt32Bits(result[i]));
                if (!float.IsNaN(expected)) Assert.Equal(expected, result[i]);
            }
        }
    }

    [Fact]
    public void Finite_half_conversion_is_exact_for_every_finite_half()
    {
        var result = new float[8];
        var values = new ushort[8];
        for (var h = 0; h < 65536; h += 8)
        {
            for (var i = 0; i < 8; i++) values[i] = (ushort)(h + i);
            fixed (ushort* pv = values)
                System.Runtime.Intrinsics.Vector256.CopyTo(FloatDot.FiniteHalfToSingle(pv), result);
            for (var i = 0; i < 8; i++)
            {
                var half = (ushort)(h + i);
                var expected = (float)BitConverter.UInt16BitsToHalf(half);
                if (float.IsFinite(expected)) Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(result[i]));
                else Assert.True(Math.Abs(result[i]) > 65504f, $"half 0x{half:x4} must come out above the largest finite half");
            }
        }
    }

    [Theory]
    [InlineData((ushort)0x7c00)] // +infinity
    [InlineData((ushort)0xfc00)] // −infinity
    [InlineData((ushort)0x7e00)] // NaN
    public void F16_dot_with_an_infinity_or_nan_in_the_row_matches_scalar(ushort special)
    {
        var random = new Random(5);
        foreach (var n in new[] { 8, 40, 64, 100 })
        {
            var halves = new ushort[n];
            for (var i = 0; i < n; i++) halves[i] = HalfConversion.ToHalf((float)random.NextDouble() - 0.5f);
            halves[n / 2] = special;
            var x = BlockTestData.RandomFloats(n, random);
            fixed (ushort* ph = halves)
            fixed (float* px = x)
            {
                var expected = FloatDot.F16Scalar(ph, px, n);
                var actual = FloatDot.F16(ph, px, n);
                Assert.True(float.IsNaN(expected) ? float.IsNaN(actual) : expected == actual, $"n={n}: {actual} instead of {expected}");
            }
        }
    }

    [Fact]
    public void Packed_matmul_matches_scalar_for_odd_shapes()
    {
        // Rows around the 6-row tile and 24-row panel, tokens around the 8- and 16-token panels, columns around the
        // 256-column depth block, and one and two threads.
        var random = new Random(21);
        foreach (var (rows, n, columns) in new[] { (1, 1, 1), (5, 3, 8), (7, 8, 13), (24, 9, 70), (25, 16, 255), (31, 17, 256), (50, 33, 300), (6, 40, 513) })
            foreach (var threads in new[] { 1, 2 })
            {
                var w = BlockTestData.RandomFloats(rows * columns, random);
                var x = BlockTestData.RandomFloats(n * columns, random);
                var fast = new float[n * rows];
                var scalar = new float[n * rows];
                using var pool = new ComputePool(threads);
                fixed (float* pw = w)
                fixed (float* px = x)
                fixed (float* pf = fast)
                fixed (float* ps = scalar)
                {
                    var weights = (nint)pw;
                    PackedMatMul.Multiply((row, count, column, depth, destination) =>
                    {
                        for (var i = 0; i < count; i++)
                            new ReadOnlySpan<float>((float*)weights + (long)(row + i) * columns + column, depth).CopyTo(new Span<float>(destination + i * depth, depth));
                    }, 1, rows, columns, px, pf, n, pool);
                    PackedMatMul.RowsScalar(pw, rows, columns, px, n, ps);
                }
                for (var i = 0; i < fast.Length; i++) Assert.Equal(scalar[i], fast[i], 1e-4f);
            }
    }

    [Fact]
    public void Packed_tokens_hold_each_column_of_sixteen_tokens_side_by_side()
    {
        // 20 tokens of 3 columns: a full panel of 16, then a narrow panel of 8 with 4 tokens and 4 zeros.
        const int n = 20, columns = 3;
        var x = new float[n * columns];
        for (var t = 0; t < n; t++)
            for (var c = 0; c < columns; c++) x[t * columns + c] = 100 * t + c + 1;
        var packed = new float[PackedMatMul.PackedLength(n, columns)];
        Assert.Equal(16 * 3 + 8 * 3, packed.Length);
        fixed (float* px = x)
        fixed (float* pp = packed)
            PackedMatMul.PackTokens(px, n, columns, pp);
        Assert.Equal(1, packed[0]);             // token 0, column 0
        Assert.Equal(101, packed[1]);           // token 1, column 0
        Assert.Equal(2, packed[16]);            // token 0, column 1
        Assert.Equal(1503, packed[2 * 16 + 15]); // token 15, column 2
        Assert.Equal(1601, packed[48]);         // token 16, column 0 (narrow panel)
        Assert.Equal(1902, packed[48 + 8 + 3]); // token 19, column 1
        Assert.Equal(0, packed[48 + 8 + 4]);    // past the last token
    }

    [Fact]
    public void Vector_row_conversion_matches_scalar()
    {
        var random = new Random(8);
        foreach (var type in new[] { TensorType.F16, TensorType.BF16 })
            for (var n = 0; n < 70; n++)
            {
                var bits = new ushort[n];
                for (var i = 0; i < n; i++) bits[i] = (ushort)random.Next(65536);
                var fast = new float[n];
                fixed (ushort* pb = bits)
                fixed (float* pf = fast)
                    FloatMatrixKernels.ConvertRow(type, (byte*)pb, pf, n);
                for (var i = 0; i < n; i++)
                {
                    var expected = type == TensorType.F16 ? HalfConversion.ToSingle(bits[i]) : HalfConversion.BFloat16ToSingle(bits[i]);
                    Assert.Equal(BitConverter.SingleToUInt32Bits(expected), BitConverter.SingleToUInt32Bits(fast[i]));
                }
            }
    }

    [Theory]
    [MemberData(nameof(BlockTestData.Quantized), MemberType = typeof(BlockTestData))]
    public void Fast_dequantize_is_bit_identical_to_scalar(TensorType type)
    {
        var random = new Random(60 + (int)type);
        var size = WeightMatrix.BlockSize(type);
        var fast = new float[size];
        var scalar = new float[size];
        for (var trial = 0; trial < 50; trial++)
        {
            var block = BlockTestData.RandomBlocks(type, 1, random);
            fixed (byte* pb = block)
            fixed (float* pf = fast)
            fixed (float* ps = scalar)
            {
                BlockTestData.DequantizeFast(type, pb, pf);
                BlockTestData.Dequantize(type, pb, ps);
            }
            for (var i = 0; i < size; i++) Assert.Equal(BitConverter.SingleToUInt32Bits(scalar[i]), BitConverter.SingleToUInt32Bits(fast[i]));
        }
    }

    [Fact]
    public void Word_unpacking_of_k_quant_scales_matches_the_per_group_rule()
    {
        var random = new Random(12);
        var packed = new byte[12];
        var scalar = new sbyte[16];
        var words = new sbyte[16];
        for (var trial = 0; trial < 500; trial++)
        {
            random.NextBytes(packed);
            fixed (byte* p = packed)
            fixed (sbyte* ps = scalar)
            fixed (sbyte* pw = words)
            {
                BlockQ3_K.UnpackScales(p, ps);
                BlockQ3_K.UnpackScalesWords(p, pw);
                BlockQ4_K.ScalesAndMins(p, out var scales, out var mins);
                for (var j = 0; j < 8; j++)
                {
                    BlockQ4_K.ScaleAndMin(j, p, out var sc, out var m);
                    Assert.Equal(sc, (int)((scales >> (8 * j)) & 0xff));
                    Assert.Equal(m, (int)((mins >> (8 * j)) & 0xff));
                }
            }
            Assert.Equal(scalar, words);
        }
    }
}
