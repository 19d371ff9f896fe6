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
    [InlineData(false)]
    [InlineData(true)]
    public void Vector_activation_quantizer_is_bit_identical_to_scalar(bool withSum)
    {
        var format = withSum ? ActivationFormat.Q8_1 : ActivationFormat.Q8_0;
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
                ActivationQuantizer.QuantizeQ8_0BlockScalar(px, ps, withSum: format == ActivationFormat.Q8_1);
            }
            Assert.Equal(scalar, fast);
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
}
