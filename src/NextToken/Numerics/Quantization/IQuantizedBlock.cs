namespace NextToken.Numerics.Quantization;

/// <summary>The 8-bit block format a weight type's integer dot product takes its activations in (llama.cpp's vec_dot_type).</summary>
internal enum ActivationFormat
{
    /// <summary>32 values: f16 d, i8 qs[32] (34 bytes).</summary>
    Q8_0,
    /// <summary>32 values: f16 d, f16 s = d·Σqs, i8 qs[32] (36 bytes).</summary>
    Q8_1,
    /// <summary>256 values: f32 d, i8 qs[256], i16 bsums[16] (292 bytes).</summary>
    Q8_K,
    /// <summary>
    /// 32 values: Q8_0's block with its f16 d widened to f32 and Σqs added: f32 d, i32 Σqs, i8 qs[32] (40 bytes). The
    /// quants and d are Q8_0's exactly; Q4_0 uses it to take the −8 offset as −8·Σqs instead of per value.
    /// </summary>
    Q8_0Sums,
}

/// <summary>
/// One GGML block-quantized weight type. Each type is a struct implementing these static members, so the
/// generic row kernels (<see cref="Kernels.QuantizedRowKernels"/>) are specialised per type by the JIT with
/// no virtual calls. Every SIMD member has a scalar twin that tests compare it with.
/// </summary>
internal unsafe interface IQuantizedBlock
{
    /// <summary>The GGML type.</summary>
    static abstract TensorType Type { get; }

    /// <summary>Values per block (32, or 256 for K-quants).</summary>
    static abstract int BlockElements { get; }

    /// <summary>Bytes per block.</summary>
    static abstract int BlockBytes { get; }

    /// <summary>The activation blocks <see cref="DotQuantized"/> pairs with.</summary>
    static abstract ActivationFormat Activation { get; }

    /// <summary>Writes the block's <see cref="BlockElements"/> values to <paramref name="destination"/> in GGML's element order.</summary>
    static abstract void Dequantize(byte* block, float* destination);

    /// <summary>The same values as <see cref="Dequantize"/>, bit for bit, vectorised where the type has a vector decoder.</summary>
    static abstract void DequantizeFast(byte* block, float* destination);

    /// <summary>
    /// Σ over <paramref name="blockCount"/> blocks of weight · activation, with the activations quantized to
    /// <see cref="Activation"/> blocks and the products summed in integers (llama.cpp's arithmetic). Scalar reference.
    /// </summary>
    static abstract float DotQuantizedScalar(byte* blocks, byte* activations, int blockCount);

    /// <summary>The same as <see cref="DotQuantizedScalar"/>, vectorised where the machine allows.</summary>
    static abstract float DotQuantized(byte* blocks, byte* activations, int blockCount);
}
