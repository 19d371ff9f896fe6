using NextToken.Numerics;
using NextToken.Numerics.Quantization;

namespace NextToken.Tests.Numerics;

/// <summary>Hand-checkable blocks of each GGML type, and the integer dot products against their definition.</summary>
public unsafe class BlockFormatTests
{
    private static void WriteHalf(byte[] block, int offset, float value) =>
        BitConverter.TryWriteBytes(block.AsSpan(offset), HalfConversion.ToHalf(value));

    private static float[] Dequantize(TensorType type, byte[] block)
    {
        var result = new float[WeightMatrix.BlockSize(type)];
        fixed (byte* b = block)
        fixed (float* y = result)
            BlockTestData.Dequantize(type, b, y);
        return result;
    }

    [Fact]
    public void Q8_0_block_is_d_times_the_signed_quants()
    {
        var block = new byte[34];
        WriteHalf(block, 0, 0.5f);
        for (var j = 0; j < 32; j++) block[2 + j] = (byte)(sbyte)(j * 8 - 128);
        var values = Dequantize(TensorType.Q8_0, block);
        for (var j = 0; j < 32; j++) Assert.Equal(0.5f * (sbyte)block[2 + j], values[j]);
        Assert.Equal(-64f, values[0]);
        Assert.Equal(0.5f * (31 * 8 - 128), values[31]);
    }

    [Fact]
    public void Q4_0_low_nibbles_are_the_first_half_and_high_nibbles_the_second()
    {
        var block = new byte[18];
        WriteHalf(block, 0, 2f);
        block[2] = 0x9F; // value 0: 15 − 8 = 7, value 16: 9 − 8 = 1
        block[3] = 0x08; // value 1: 0, value 17: −8
        var values = Dequantize(TensorType.Q4_0, block);
        Assert.Equal(14f, values[0]);
        Assert.Equal(2f, values[16]);
        Assert.Equal(0f, values[1]);
        Assert.Equal(-16f, values[17]);
        Assert.Equal(-16f, values[2]); // qs = 0 → −8 · 2
    }

    [Fact]
    public void Q4_1_adds_the_min()
    {
        var block = new byte[20];
        WriteHalf(block, 0, 0.25f);
        WriteHalf(block, 2, -1f);
        block[4] = 0x4F;
        var values = Dequantize(TensorType.Q4_1, block);
        Assert.Equal(15 * 0.25f - 1, values[0]);
        Assert.Equal(4 * 0.25f - 1, values[16]);
        Assert.Equal(-1f, values[1]);
    }

    [Fact]
    public void Q5_0_takes_the_fifth_bit_from_qh()
    {
        var block = new byte[22];
        WriteHalf(block, 0, 1f);
        BitConverter.TryWriteBytes(block.AsSpan(2), (1u << 0) | (1u << 17)); // fifth bit of value 0 and value 17
        block[6] = 0x21; // value 0: 1 | 16, value 16: 2
        block[7] = 0x30; // value 1: 0, value 17: 3 | 16
        var values = Dequantize(TensorType.Q5_0, block);
        Assert.Equal(17f - 16, values[0]);
        Assert.Equal(2f - 16, values[16]);
        Assert.Equal(-16f, values[1]);
        Assert.Equal(19f - 16, values[17]);
    }

    [Fact]
    public void Q5_1_takes_the_fifth_bit_and_adds_the_min()
    {
        var block = new byte[24];
        WriteHalf(block, 0, 0.5f);
        WriteHalf(block, 2, 3f);
        BitConverter.TryWriteBytes(block.AsSpan(4), 1u << 31);
        block[8 + 15] = 0xF0; // value 31: 15 | 16
        var values = Dequantize(TensorType.Q5_1, block);
        Assert.Equal(31 * 0.5f + 3, values[31]);
        Assert.Equal(3f, values[15]);
    }

    [Fact]
    public void Q4_K_unpacks_six_bit_scales_and_mins()
    {
        var block = new byte[144];
        WriteHalf(block, 0, 1f);    // d
        WriteHalf(block, 2, 0.5f);  // dmin
        var packed = block.AsSpan(4, 12);
        // Group 0: scale 2, min 3. Group 5: scale 0b110001 = 49, min 0b100111 = 39 (top two bits in bytes 1 and 5).
        packed[0] = 2;
        packed[4] = 3;
        packed[9] = (byte)((49 & 15) | ((39 & 15) << 4));
        packed[1] |= (byte)((49 >> 4) << 6);
        packed[5] |= (byte)((39 >> 4) << 6);
        block[16 + 0] = 0x07;        // value 0 (group 0) = 7, value 32 (group 1) = 0
        block[16 + 64 + 5] = 0xA0;   // value 128 + 5 (group 4) = 0, value 160 + 5 (group 5) = 10
        var values = Dequantize(TensorType.Q4_K, block);
        Assert.Equal(1f * 2 * 7 - 0.5f * 3, values[0]);
        Assert.Equal(1f * 2 * 0 - 0.5f * 3, values[1]);
        Assert.Equal(1f * 49 * 10 - 0.5f * 39, values[165]);
    }

    [Fact]
    public void Q5_K_adds_the_fifth_bit_by_group()
    {
        var block = new byte[176];
        WriteHalf(block, 0, 1f);
        WriteHalf(block, 2, 0f);
        block[4 + 1] = 1;           // group 1 scale 1
        block[4 + 3] = 2;           // group 3 scale 2
        block[16 + 4] = 0b1010;     // qh[4]: fifth bits of group 1 and group 3 at position 4
        block[48 + 4] = 0x30;       // value 36 (group 1) low bits 3
        block[48 + 32 + 4] = 0x50;  // value 64 + 32 + 4 (group 3) low bits 5
        var values = Dequantize(TensorType.Q5_K, block);
        Assert.Equal(19f, values[36]);
        Assert.Equal(2f * 21, values[100]);
        Assert.Equal(0f, values[4]);
    }

    [Fact]
    public void Q6_K_interleaves_four_quarters()
    {
        var block = new byte[210];
        WriteHalf(block, 208, 0.5f);
        for (var g = 0; g < 16; g++) block[192 + g] = (byte)(sbyte)(g - 8);
        block[3] = 0x21;           // value 3: low 1; value 64 + 3: low 2
        block[32 + 3] = 0x43;      // value 35: low 3; value 99: low 4
        block[128 + 3] = 0b11100100; // high bits 0, 1, 2, 3 for values 3, 35, 67, 99
        var values = Dequantize(TensorType.Q6_K, block);
        Assert.Equal(0.5f * (0 - 8) * (1 - 32), values[3]);
        Assert.Equal(0.5f * (2 - 8) * ((3 | 16) - 32), values[35]);
        Assert.Equal(0.5f * (4 - 8) * ((2 | 32) - 32), values[67]);
        Assert.Equal(0.5f * (6 - 8) * ((4 | 48) - 32), values[99]);
    }

    [Fact]
    public void Q3_K_subtracts_four_where_the_high_bit_is_clear()
    {
        var block = new byte[110];
        WriteHalf(block, 108, 2f);
        // Scale of group 0 = 33 (−32 → 1), group 8 = 40 (→ 8): low nibbles in byte 0, high bits in byte 8.
        block[96 + 0] = (byte)((33 & 15) | ((40 & 15) << 4));
        block[96 + 8] = (byte)((33 >> 4) | ((40 >> 4) << 4));
        block[32 + 0] = 0b11;       // value 0: low bits 3
        block[0] = 0b1;             // hmask bit 0 of byte 0: value 0 keeps +0
        block[32 + 32 + 1] = 0b10;  // value 129 (group 8): low bits 2, hmask clear → −4
        var values = Dequantize(TensorType.Q3_K, block);
        Assert.Equal(2f * 1 * 3, values[0]);
        Assert.Equal(2f * 8 * (2 - 4), values[129]);
        Assert.Equal(2f * 1 * -4, values[1]);
    }

    [Fact]
    public void Q2_K_scales_and_mins_are_nibbles()
    {
        var block = new byte[84];
        WriteHalf(block, 80, 1f);
        WriteHalf(block, 82, 0.25f);
        block[0] = 0x53;         // group 0: scale 3, min 5
        block[3] = 0x12;         // group 3 (values 48–63): scale 2, min 1
        block[16 + 0] = 0b10;    // value 0 = 2
        block[16 + 16 + 1] = 0b0100; // value 49: (q[17] >> 2) & 3 = 1
        var values = Dequantize(TensorType.Q2_K, block);
        Assert.Equal(3f * 2 - 0.25f * 5, values[0]);
        Assert.Equal(2f * 1 - 0.25f * 1, values[49]);
    }

    [Theory]
    [MemberData(nameof(BlockTestData.Quantized), MemberType = typeof(BlockTestData))]
    public void Integer_dot_equals_the_dot_of_the_dequantized_rows(TensorType type)
    {
        var random = new Random(1234 + (int)type);
        var blockSize = WeightMatrix.BlockSize(type);
        var format = BlockTestData.Activation(type);
        foreach (var blocks in new[] { 1, 2, 3, 8 })
        {
            var n = blocks * blockSize;
            var w = BlockTestData.RandomBlocks(type, blocks, random);
            var x = BlockTestData.RandomFloats(n, random);
            var a = new byte[n / ActivationQuantizer.BlockElements(format) * ActivationQuantizer.BlockBytes(format)];
            var dequantized = new float[n];
            fixed (byte* pw = w)
            fixed (byte* pa = a)
            fixed (float* px = x)
            fixed (float* pd = dequantized)
            {
                ActivationQuantizer.Quantize(format, px, pa, n);
                for (var b = 0; b < blocks; b++) BlockTestData.Dequantize(type, pw + b * WeightMatrix.BlockBytes(type), pd + b * blockSize);
                var xq = BlockTestData.DequantizeActivations(format, pa, n);
                double expected = 0, magnitude = 0;
                for (var i = 0; i < n; i++)
                {
                    expected += (double)dequantized[i] * xq[i];
                    magnitude += Math.Abs((double)dequantized[i] * xq[i]);
                }
                if (format == ActivationFormat.Q8_1)
                {
                    // The Q8_1 dot uses s = f16(d·Σq) for the min term: account for its rounding.
                    magnitude += 200 * blocks;
                }
                var scalar = BlockTestData.DotScalar(type, pw, pa, blocks);
                Assert.True(Math.Abs(scalar - expected) <= 1e-4 * magnitude + 1e-5, $"{type} × {blocks}: scalar {scalar}, expected {expected}");
            }
        }
    }
}
