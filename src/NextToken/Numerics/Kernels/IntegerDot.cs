using NextToken.Numerics.Quantization;

namespace NextToken.Numerics.Kernels;

/// <summary>Vectorised integer dot products of weight blocks with 8-bit activation blocks.</summary>
internal static unsafe class IntegerDot
{
    public static float Q8_0(byte* x, byte* y, int n) => BlockQ8_0.DotQuantizedScalar(x, y, n);
    public static float Q4_0(byte* x, byte* y, int n) => BlockQ4_0.DotQuantizedScalar(x, y, n);
    public static float Q4_1(byte* x, byte* y, int n) => BlockQ4_1.DotQuantizedScalar(x, y, n);
    public static float Q5_0(byte* x, byte* y, int n) => BlockQ5_0.DotQuantizedScalar(x, y, n);
    public static float Q5_1(byte* x, byte* y, int n) => BlockQ5_1.DotQuantizedScalar(x, y, n);
    public static float Q2_K(byte* x, byte* y, int n) => BlockQ2_K.DotQuantizedScalar(x, y, n);
    public static float Q3_K(byte* x, byte* y, int n) => BlockQ3_K.DotQuantizedScalar(x, y, n);
    public static float Q4_K(byte* x, byte* y, int n) => BlockQ4_K.DotQuantizedScalar(x, y, n);
    public static float Q5_K(byte* x, byte* y, int n) => BlockQ5_K.DotQuantizedScalar(x, y, n);
    public static float Q6_K(byte* x, byte* y, int n) => BlockQ6_K.DotQuantizedScalar(x, y, n);
}
