using NextToken.Numerics;

namespace NextToken.Files;

/// <summary>One tensor inside a mapped file: its type, its shape (outermost dimension first, as PyTorch writes it) and its bytes.</summary>
/// <param name="Name">The tensor's name in the file.</param>
/// <param name="Type">Element type.</param>
/// <param name="Shape">Dimensions, outermost first: a matrix of R rows and C columns is [R, C].</param>
/// <param name="Data">Address of the first byte; valid while <paramref name="Owner"/> is alive and not disposed.</param>
/// <param name="ByteLength">Bytes the tensor occupies.</param>
/// <param name="Owner">The mapping that holds the bytes.</param>
internal readonly record struct TensorView(string Name, TensorType Type, long[] Shape, nint Data, long ByteLength, object Owner)
{
    /// <summary>Number of elements (product of the shape).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var d in Shape) count *= d;
            return count;
        }
    }

    /// <summary>The shape as "[512, 64]".</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>Where a model's tensors come from: a GGUF file, safetensors files, a llama2.c checkpoint.</summary>
internal interface ITensorSource : IDisposable
{
    /// <summary>The file or folder, for error messages.</summary>
    string Path { get; }

    /// <summary>Every tensor name.</summary>
    IEnumerable<string> TensorNames { get; }

    /// <summary>Finds a tensor by name.</summary>
    bool TryGetTensor(string name, out TensorView tensor);
}
