using System.Runtime.CompilerServices;

namespace NextToken.Numerics.Quantization;

/// <summary>Q8_0: 32 values, f16 d then i8 qs[32]; value j = d · qs[j] (34 bytes).</summary>
internal unsafe struct BlockQ8_0 : IQuantizedBlock
{
    public static TensorType Type => TensorType.Q8_0;
    public static int BlockElements => 32;
    public static int BlockBytes => 34;
    public static ActivationFormat Activation => ActivationFormat.Q8_0Sums;

    public static void Dequantize(byte* block, float* destination)
    {
        var d = HalfConversion.Read(block);
        var qs = (sbyte*)(block + 2);
        for (var j = 0; j < 32; j++) destination[j] = qs[j] * d;
    }

    public static void DequantizeFast(byte* block, float* destination) => Kernels.VectorDequantize.Q8_0(block, destination);

    public static float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount)
    {
        var sum = 0f;
        for (var b = 0; b < blockCount; b++)
        {
            var x = blocks + b * 34;
            var y = activations + b * ActivationQuantizer.Q8_0SumsBytes;
            var sumi = 0;
            for (var j = 0; j < 32; j++) sumi += ((sbyte*)(x + 2))[j] * ((sbyte*)(y + 8))[j];
            sum += sumi * (HalfConversion.Read(x) * *(float*)y);
        }
        return sum;
    }

    public static float DotQuantized(byte* blocks, byte* activations, int blockCount) =>
        Kernels.IntegerDot.Q8_0(blocks, activations, blockCount);
}
