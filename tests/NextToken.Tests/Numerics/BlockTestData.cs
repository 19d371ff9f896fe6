using NextToken.Numerics;
using NextToken.Numerics.Quantization;

namespace NextToken.Tests.Numerics;

/// <summary>Random but valid blocks of every quantized type, and the generic helpers the block tests share.</summary>
internal static unsafe class BlockTestData
{
    public static readonly TensorType[] QuantizedTypes =
    [
        TensorType.Q4_0, TensorType.Q4_1, TensorType.Q5_0, TensorType.Q5_1, TensorType.Q8_0,
        TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K,
    ];

    public static readonly TensorType[] AllWeightTypes = [TensorType.F32, TensorType.F16, TensorType.BF16, .. QuantizedTypes];

    public static TheoryData<TensorType> Quantized() => new(QuantizedTypes);
    public static TheoryData<TensorType> All() => new(AllWeightTypes);

    /// <summary>Offsets of the f16 scale fields of each type (random bytes there could be NaN or huge).</summary>
    private static int[] ScaleOffsets(TensorType type) => type switch
    {
        TensorType.Q4_0 or TensorType.Q5_0 or TensorType.Q8_0 => [0],
        TensorType.Q4_1 or TensorType.Q5_1 or TensorType.Q4_K or TensorType.Q5_K => [0, 2],
        TensorType.Q2_K => [80, 82],
        TensorType.Q3_K => [108],
        TensorType.Q6_K => [208],
        _ => [],
    };

    /// <summary>Random bytes for <paramref name="blocks"/> blocks, with every f16 scale a sane random value.</summary>
    public static byte[] RandomBlocks(TensorType type, int blocks, Random random)
    {
        var blockBytes = WeightMatrix.BlockBytes(type);
        var bytes = new byte[blocks * blockBytes];
        random.NextBytes(bytes);
        for (var b = 0; b < blocks; b++)
            foreach (var offset in ScaleOffsets(type))
            {
                var value = (float)(random.NextDouble() * 0.02 + 0.001) * (offset == 2 && type is TensorType.Q4_1 or TensorType.Q5_1 ? -8 : 1);
                BitConverter.TryWriteBytes(bytes.AsSpan(b * blockBytes + offset), HalfConversion.ToHalf(value));
            }
        if (type is TensorType.F16 or TensorType.BF16)
            for (var i = 0; i < bytes.Length; i += 2)
            {
                var v = (float)(random.NextDouble() * 2 - 1);
                BitConverter.TryWriteBytes(bytes.AsSpan(i), type == TensorType.F16 ? HalfConversion.ToHalf(v) : HalfConversion.ToBFloat16(v));
            }
        if (type == TensorType.F32)
            for (var i = 0; i < bytes.Length; i += 4) BitConverter.TryWriteBytes(bytes.AsSpan(i), (float)(random.NextDouble() * 2 - 1));
        return bytes;
    }

    public static float[] RandomFloats(int count, Random random, float scale = 1)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    public static ActivationFormat Activation(TensorType type) => Dispatch(type, new ActivationOf());
    public static void Dequantize(TensorType type, byte* block, float* y) => Dispatch(type, new DequantizeOp(block, y));
    public static void DequantizeFast(TensorType type, byte* block, float* y) => Dispatch(type, new DequantizeFastOp(block, y));
    public static float DotScalar(TensorType type, byte* w, byte* a, int n) => Dispatch(type, new DotOp(w, a, n, fast: false));
    public static float DotFast(TensorType type, byte* w, byte* a, int n) => Dispatch(type, new DotOp(w, a, n, fast: true));

    private interface IOp<T> { T Run<TBlock>() where TBlock : IQuantizedBlock; }

    private readonly struct ActivationOf : IOp<ActivationFormat> { public ActivationFormat Run<TBlock>() where TBlock : IQuantizedBlock => TBlock.Activation; }
    private readonly struct DequantizeOp(byte* block, float* y) : IOp<bool> { public bool Run<TBlock>() where TBlock : IQuantizedBlock { TBlock.Dequantize(block, y); return true; } }
    private readonly struct DequantizeFastOp(byte* block, float* y) : IOp<bool> { public bool Run<TBlock>() where TBlock : IQuantizedBlock { TBlock.DequantizeFast(block, y); return true; } }
    private readonly struct DotOp(byte* w, byte* a, int n, bool fast) : IOp<float>
    {
        public float Run<TBlock>() where TBlock : IQuantizedBlock => fast ? TBlock.DotQuantized(w, a, n) : TBlock.DotQuantizedScalar(w, a, n);
    }

    private static T Dispatch<T, TOp>(TensorType type, TOp op) where TOp : IOp<T> => type switch
    {
        TensorType.Q4_0 => op.Run<BlockQ4_0>(),
        TensorType.Q4_1 => op.Run<BlockQ4_1>(),
        TensorType.Q5_0 => op.Run<BlockQ5_0>(),
        TensorType.Q5_1 => op.Run<BlockQ5_1>(),
        TensorType.Q8_0 => op.Run<BlockQ8_0>(),
        TensorType.Q2_K => op.Run<BlockQ2_K>(),
        TensorType.Q3_K => op.Run<BlockQ3_K>(),
        TensorType.Q4_K => op.Run<BlockQ4_K>(),
        TensorType.Q5_K => op.Run<BlockQ5_K>(),
        TensorType.Q6_K => op.Run<BlockQ6_K>(),
        _ => throw new ArgumentException($"{type} is not block-quantized"),
    };

    private static ActivationFormat Dispatch(TensorType type, ActivationOf op) => Dispatch<ActivationFormat, ActivationOf>(type, op);
    private static void Dispatch(TensorType type, DequantizeOp op) => Dispatch<bool, DequantizeOp>(type, op);
    private static void Dispatch(TensorType type, DequantizeFastOp op) => Dispatch<bool, DequantizeFastOp>(type, op);
    private static float Dispatch(TensorType type, DotOp op) => Dispatch<float, DotOp>(type, op);

    /// <summary>Dequantizes an activation row (Q8_0/Q8_1/Q8_0Sums/Q8_K blocks) back to floats.</summary>
    public static float[] DequantizeActivations(ActivationFormat format, byte* a, int count)
    {
        var result = new float[count];
        var size = ActivationQuantizer.BlockElements(format);
        var bytes = ActivationQuantizer.BlockBytes(format);
        for (var b = 0; b < count / size; b++)
        {
            var block = a + b * bytes;
            var d = format is ActivationFormat.Q8_K or ActivationFormat.Q8_0Sums ? *(float*)block : HalfConversion.Read(block);
            var qs = (sbyte*)(block + ActivationQuantizer.QuantsOffset(format));
            for (var j = 0; j < size; j++) result[b * size + j] = d * qs[j];
        }
        return result;
    }
}
