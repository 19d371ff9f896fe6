namespace NextToken.Files;

/// <summary>Conversions between float32 and the 16-bit float formats of model files.</summary>
internal static class FloatConversion
{
    /// <summary>bfloat16 → float32: the 16 bits are the top half of a float32.</summary>
    public static float FromBFloat16(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>float32 → bfloat16, rounding to nearest even (NaN stays NaN).</summary>
    public static ushort ToBFloat16(float value)
    {
        var bits = (uint)BitConverter.SingleToInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
