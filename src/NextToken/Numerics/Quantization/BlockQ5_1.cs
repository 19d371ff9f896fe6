using System.Runtime.CompilerServices;

namespace NextToken.Numerics.Quantization;

/// <summary>
/// Q5_1: 32 values, f16 d, f16 m, u32 qh, u8 qs[16] laid out as in Q5_0; value = d · q + m (24 bytes).
/// </summary>
internal unsafe struct BlockQ5_1 : IQuantizedBlock
{
    public static TensorType Type => TensorType.Q5_1;
    public static int BlockElements => 32;
    public static int BlockBytes => 24;
    public static ActivationFormat Activation => ActivationFormat.Q8_1;

    public static void Dequantize(byte* block, float* destination)
    {
        var d = HalfConversion.Read(block);
        var m = HalfConversion.Read(block + 2);
        var qh = Unsafe.ReadUnaligned<uint>(block + 4);
        var qs = block + 8;
        for (var j = 0; j < 16; j++)
        {
            var high0 = (int)((qh >> j) << 4) & 0x10;
            var high1 = (int)(qh >> (j + 12)) & 0x10;
            destination[j] = ((qs[j] & 15) | high0) * d + m;
            destination[j + 16] = ((qs[j] >> 4) | high1) * d + m;
        }
    }

    public static void DequantizeFast(byte* block, float* destination) => Dequantize(block, destination);

    public static float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount)
    {
        float sum = 0f, mins = 0f;
        for (var b = 0; b < blockCount; b++)
        {
            var x = blocks + b * 24;
            var y = activations + b * ActivationQuantizer.Q8_1Bytes;
            var qh = Unsafe.ReadUnaligned<uint>(x + 4);
            var qs = x + 8;
            var q8 = (sbyte*)(y + 4);
            var sumi = 0;
            for (var j = 0; j < 16; j++)
            {
                var high0 = (int)((qh >> j) << 4) & 0x10;
                var high1 = (int)(qh >> (j + 12)) & 0x10;
                sumi += ((qs[j] & 15) | high0) * q8[j] + ((qs[j] >> 4) | high1) * q8[j + 16];
            }
            sum += HalfConversion.Read(x) * HalfConversion.Read(y) * sumi;
            mins = MathF.FusedMultiplyAdd(HalfConversion.Read(x + 2), HalfConversion.Read(y + 2), mins);
        }
        return sum + mins;
    }

    public static float DotQuantized(byte* blocks, byte* activations, int blockCount) =>
        Kernels.IntegerDot.Q5_1(blocks, activations, blockCount);
}
