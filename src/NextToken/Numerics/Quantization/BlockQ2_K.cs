namespace NextToken.Numerics.Quantization;

/// <summary>
/// Q2_K: 256 values in 16 groups of 16: u8 scales[16] (low nibble: the group's scale, high nibble: its min),
/// u8 qs[64] (2-bit quants), f16 d, f16 dmin; value = d · scale · q − dmin · min (84 bytes).
/// Element order: for each half of 128, for shift 0, 2, 4, 6: 32 values from qs[0..32] of that half at that shift.
/// </summary>
internal unsafe struct BlockQ2_K : IQuantizedBlock
{
    public static TensorType Type => TensorType.Q2_K;
    public static int BlockElements => 256;
    public static int BlockBytes => 84;
    public static ActivationFormat Activation => ActivationFormat.Q8_K;

    public static void Dequantize(byte* block, float* destination)
    {
        var scales = block;
        var q = block + 16;
        var d = HalfConversion.Read(block + 80);
        var dmin = HalfConversion.Read(block + 82);
        var y = destination;
        var group = 0;
        for (var half = 0; half < 2; half++, q += 32)
            for (var shift = 0; shift < 8; shift += 2)
                for (var part = 0; part < 2; part++, group++)
                {
                    var dl = d * (scales[group] & 15);
                    var ml = dmin * (scales[group] >> 4);
                    for (var l = 0; l < 16; l++) *y++ = dl * ((q[part * 16 + l] >> shift) & 3) - ml;
                }
    }

    public static void DequantizeFast(byte* block, float* destination) => Dequantize(block, destination);

    public static float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount)
    {
        var sum = 0f;
        for (var b = 0; b < blockCount; b++)
        {
            var x = blocks + b * 84;
            var y = activations + b * ActivationQuantizer.Q8_KBytes;
            var scales = x;
            var q = x + 16;
            var q8 = (sbyte*)(y + 4);
            var bsums = (short*)(y + 260);
            var mins = 0;
            for (var j = 0; j < 16; j++) mins += (scales[j] >> 4) * bsums[j];
            var isum = 0;
            var group = 0;
            for (var half = 0; half < 2; half++, q += 32)
                for (var shift = 0; shift < 8; shift += 2)
                    for (var part = 0; part < 2; part++, group++, q8 += 16)
                    {
                        var s = 0;
                        for (var l = 0; l < 16; l++) s += q8[l] * ((q[part * 16 + l] >> shift) & 3);
                        isum += (scales[group] & 15) * s;
                    }
            var dy = *(float*)y;
            sum += dy * HalfConversion.Read(x + 80) * isum - dy * HalfConversion.Read(x + 82) * mins;
        }
        return sum;
    }

    public static float DotQuantized(byte* blocks, byte* activations, int blockCount) =>
        Kernels.IntegerDot.Q2_K(blocks, activations, blockCount);
}
