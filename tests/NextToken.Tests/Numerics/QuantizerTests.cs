using NextToken.Numerics;
using NextToken.Numerics.Quantization;

namespace NextToken.Tests.Numerics;

public class QuantizerTests
{
    public static TheoryData<TensorType> Quantizable() => new(BlockTestData.AllWeightTypes);

    /// <summary>The largest error allowed for a value of a block spanning [min, max] (half a step, plus slack for f16 scales).</summary>
    private static double Bound(TensorType type, float min, float max)
    {
        var amax = Math.Max(Math.Abs(min), Math.Abs(max));
        var range = max - Math.Min(min, 0);
        return type switch
        {
            TensorType.F32 => 0,
            TensorType.F16 => amax / 1024,
            TensorType.BF16 => amax / 128,
            TensorType.Q8_0 => amax / 127 * 0.6, // half a step, plus the f16 rounding of d times up to 127
            TensorType.Q4_0 => amax / 8 * 0.51 * 2, // the positive extreme can clamp at 7 (one step)
            TensorType.Q5_0 => amax / 16 * 0.51 * 2,
            TensorType.Q4_1 => (max - min) / 15 * 0.51,
            TensorType.Q5_1 => (max - min) / 31 * 0.51,
            TensorType.Q2_K => range / 3 * 0.6,
            TensorType.Q3_K => amax / 3 * 0.6,
            TensorType.Q4_K => range / 15 * 0.6,
            TensorType.Q5_K => range / 31 * 0.6,
            TensorType.Q6_K => amax / 31 * 0.6,
            _ => throw new ArgumentException(type.ToString()),
        } + 1e-6;
    }

    [Theory]
    [MemberData(nameof(Quantizable))]
    public void Quantize_then_dequantize_is_within_the_step(TensorType type)
    {
        var random = new Random(31 + (int)type);
        var columns = 2 * Math.Max(32, WeightMatrix.BlockSize(type) * 2);
        const int rows = 3;
        var values = BlockTestData.RandomFloats(rows * columns, random, scale: 2);
        for (var i = 0; i < columns; i++) values[i] += 0.5f; // one row not centred on zero
        var bytes = Quantizer.Quantize(type, values, columns);
        Assert.Equal(rows * WeightMatrix.RowByteLength(type, columns), bytes.Length);
        var matrix = WeightMatrix.FromBytes(type, bytes, rows, columns);
        var row = new float[columns];
        var block = Math.Max(32, WeightMatrix.BlockSize(type));
        for (var r = 0; r < rows; r++)
        {
            matrix.DequantizeRow(r, row);
            for (var start = 0; start < columns; start += block)
            {
                var slice = values.AsSpan(r * columns + start, block);
                var bound = Bound(type, slice.ToArray().Min(), slice.ToArray().Max());
                for (var j = 0; j < block; j++)
                    Assert.True(Math.Abs(row[start + j] - slice[j]) <= bound, $"{type}: value {slice[j]} came back as {row[start + j]} (bound {bound})");
            }
        }
    }

    [Fact]
    public void Q8_0_follows_the_reference_formula()
    {
        var values = new float[32];
        for (var j = 0; j < 32; j++) values[j] = (j - 10) * 0.37f;
        values[5] = 2.5f * 0.37f * 127 / 11.1f; // a value that lands near a rounding tie
        var bytes = Quantizer.Quantize(TensorType.Q8_0, values, 32);
        var amax = values.Max(MathF.Abs);
        var d = amax / 127;
        Assert.Equal(BitConverter.HalfToUInt16Bits((Half)d), BitConverter.ToUInt16(bytes, 0));
        for (var j = 0; j < 32; j++)
            Assert.Equal((sbyte)MathF.Round(values[j] * (1 / d), MidpointRounding.AwayFromZero), (sbyte)bytes[2 + j]);
        var largest = Array.IndexOf(values, values.MaxBy(MathF.Abs));
        Assert.Equal(127, Math.Abs((sbyte)bytes[2 + largest]));
    }

    [Fact]
    public void All_zero_blocks_stay_zero()
    {
        foreach (var type in BlockTestData.AllWeightTypes)
        {
            var columns = WeightMatrix.BlockSize(type) == 1 ? 8 : WeightMatrix.BlockSize(type);
            var bytes = Quantizer.Quantize(type, new float[columns], columns);
            var row = new float[columns];
            WeightMatrix.FromBytes(type, bytes, 1, columns).DequantizeRow(0, row);
            Assert.All(row, v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        Assert.Equal("type", Assert.Throws<ArgumentException>(() => Quantizer.Quantize(TensorType.Q8_K, new float[256], 256)).ParamName);
        Assert.Equal("columns", Assert.Throws<ArgumentException>(() => Quantizer.Quantize(TensorType.Q4_0, new float[48], 48)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => Quantizer.Quantize(TensorType.Q4_0, new float[48], 32)).ParamName);
    }
}
