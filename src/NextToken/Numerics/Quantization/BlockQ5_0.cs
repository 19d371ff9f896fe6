using System.Runtime.CompilerServices;

namespace NextToken.Numerics.Quantization;

/// <summary>
/// Q5_0: 32 values, f16 d, u32 qh (bit j is the fifth bit of value j), u8 qs[16] (low nibbles of values 0–15,
/// high nibbles of values 16–31); value = d · (q − 16) (22 bytes).
/// </summary>
internal unsafe struct BlockQ5_0 : IQuantizedBlock
{
    public static TensorType Type => TensorType.Q5_0;
    public static int BlockElements => 32;
    public static int BlockBytes => 22;
    public static ActivationFormat Activation => ActivationFormat.Q8_0Sums;

    public static void Dequantize(byte* block, float* destination)
    {
        var d = HalfConversion.Read(block);
        var qh = Unsafe.ReadUnaligned<uint>(block + 2);
        var qs = block + 6;
        for (var j = 0; j < 16; j++)
        {
            var high0 = (int)((qh >> j) << 4) & 0x10;
            var high1 = (int)(qh >> (j + 12)) & 0x10;
            destination[j] = (((qs[j] & 15) | high0) - 16) * d;
            destination[j + 16] = (((qs[j] >> 4) | high1) - 16) * d;
        }
    }

    public static void DequantizeFast(byte* block, float* destination) => Dequantize(block, destination);

    public static float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount)
    {
        var sum = 0f;
        for (var b = 0; b < blockCount; b++)
        {
            var x = blocks + b * 22;
            var y = activations + b * ActivationQuantizer.Q8_0SumsBytes;
            var qh = Unsafe.ReadUnaligned<uint>(x + 2);
            var qs = x + 6;
            var q8 = (sbyte*)(y + 8);
            var sumi = 0;
            for (var j = 0; j < 16; j++)
            {
                var high0 = (int)((qh >> j) << 4) & 0x10;
                var high1 = (int)(qh >> (j + 12)) & 0x10;
                sumi += (((qs[j] & 15) | high0) - 16) * q8[j] + (((qs[j] >> 4) | high1) - 16) * q8[j + 16];
            }
            sum += sumi * (HalfConversion.Read(x) * *(float*)y);
        }
        return sum;
    }

    public static float DotQuantized(byte* blocks, byte* activations, int blockCount) =>
        Kernels.IntegerDot.Q5_0(blocks, activations, blockCount);
}
