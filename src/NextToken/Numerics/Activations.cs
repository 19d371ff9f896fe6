using System.Runtime.CompilerServices;
// Performance: TensorPrimitives' vectorised Exp/Tanh/Sigmoid are used directly; the scalar twins are the
// definitions the tests compare them against.
using System.Numerics.Tensors;

namespace NextToken.Numerics;

/// <summary>The pointwise functions of the forward pass: SiLU, SwiGLU, tanh GELU and softmax.</summary>
public static class Activations
{
    private const float SqrtTwoOverPi = 0.7978845608028654f;
    private const float GeluCubic = 0.044715f;

    /// <summary>SiLU: destination[i] = x[i] · σ(x[i]).</summary>
    public static void Silu(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckDestination(x.Length, destination);
        if (x.IsEmpty) return;
        var d = destination[..x.Length];
        if (x.Overlaps(d))
        {
            // x is needed after σ(x) overwrites it: keep a copy.
            var copy = System.Buffers.ArrayPool<float>.Shared.Rent(x.Length);
            x.CopyTo(copy);
            TensorPrimitives.Sigmoid(x, d);
            TensorPrimitives.Multiply(copy.AsSpan(0, x.Length), d, d);
            System.Buffers.ArrayPool<float>.Shared.Return(copy);
            return;
        }
        TensorPrimitives.Sigmoid(x, d);
        TensorPrimitives.Multiply(x, d, d);
    }

    /// <summary>The plain twin of <see cref="Silu"/>.</summary>
    public static void SiluScalar(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckDestination(x.Length, destination);
        for (var i = 0; i < x.Length; i++) destination[i] = x[i] / (1f + MathF.Exp(-x[i]));
    }

    /// <summary>SwiGLU: destination[i] = SiLU(gate[i]) · up[i] (Llama's feed-forward gate).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SwiGlu(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> destination)
    {
        if (up.Length != gate.Length) throw new ArgumentException($"up has {up.Length} values, gate has {gate.Length}", nameof(up));
        Silu(gate, destination);
        TensorPrimitives.Multiply(destination[..gate.Length], up, destination);
    }

    /// <summary>The plain twin of <see cref="SwiGlu"/>.</summary>
    public static void SwiGluScalar(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> destination)
    {
        if (up.Length != gate.Length) throw new ArgumentException($"up has {up.Length} values, gate has {gate.Length}", nameof(up));
        CheckDestination(gate.Length, destination);
        for (var i = 0; i < gate.Length; i++) destination[i] = gate[i] / (1f + MathF.Exp(-gate[i])) * up[i];
    }

    /// <summary>GELU, tanh approximation (GPT-2's <c>gelu_new</c>): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    public static void GeluTanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckDestination(x.Length, destination);
        if (x.IsEmpty) return;
        var d = destination[..x.Length];
        float[]? copy = null;
        if (x.Overlaps(d))
        {
            // x is read again after d is overwritten: keep a copy.
            copy = System.Buffers.ArrayPool<float>.Shared.Rent(x.Length);
            x.CopyTo(copy);
            x = copy.AsSpan(0, x.Length);
        }
        // inner = x · (√(2/π) + √(2/π)·0.044715·x²)
        TensorPrimitives.Multiply(x, x, d);
        TensorPrimitives.Multiply(d, SqrtTwoOverPi * GeluCubic, d);
        TensorPrimitives.Add(d, SqrtTwoOverPi, d);
        TensorPrimitives.Multiply(d, x, d);
        TensorPrimitives.Tanh(d, d);
        TensorPrimitives.Multiply(d, 0.5f, d);
        TensorPrimitives.Add(d, 0.5f, d);
        TensorPrimitives.Multiply(d, x, d);
        if (copy is not null) System.Buffers.ArrayPool<float>.Shared.Return(copy);
    }

    /// <summary>The plain twin of <see cref="GeluTanh"/>.</summary>
    public static void GeluTanhScalar(ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckDestination(x.Length, destination);
        for (var i = 0; i < x.Length; i++)
        {
            var v = x[i];
            destination[i] = 0.5f * v * (1f + MathF.Tanh(SqrtTwoOverPi * (v + GeluCubic * v * v * v)));
        }
    }

    /// <summary>Softmax in place: x[i] = exp(x[i] − max) / Σ exp(x[j] − max).</summary>
    public static void Softmax(Span<float> x)
    {
        if (x.IsEmpty) return;
        var max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        TensorPrimitives.Divide(x, TensorPrimitives.Sum(x), x);
    }

    /// <summary>The plain twin of <see cref="Softmax"/>.</summary>
    public static void SoftmaxScalar(Span<float> x)
    {
        if (x.IsEmpty) return;
        var max = float.NegativeInfinity;
        foreach (var v in x) max = MathF.Max(max, v);
        double sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = MathF.Exp(x[i] - max);
            sum += x[i];
        }
        var inverse = (float)(1.0 / sum);
        for (var i = 0; i < x.Length; i++) x[i] *= inverse;
    }

    private static void CheckDestination(int length, Span<float> destination)
    {
        if (destination.Length < length) throw new ArgumentException($"destination has room for {destination.Length} values, needs {length}", nameof(destination));
    }
}
