using System.Runtime.InteropServices;
using NextToken.Conversion;
using NextToken.Files;
using NextToken.Numerics;

namespace NextToken.Tests.Conversion;

public sealed class GgufStreamWriterTests
{
    private static readonly (string Key, object Value)[] Metadata =
    [
        ("general.architecture", "llama"),
        ("a.u8", (byte)200), ("a.i8", (sbyte)-5), ("a.u16", (ushort)60000), ("a.i16", (short)-300),
        ("a.u32", 4_000_000_000u), ("a.i32", -7), ("a.f32", 1.5f), ("a.bool", true),
        ("a.u64", ulong.MaxValue), ("a.i64", long.MinValue), ("a.f64", Math.PI),
        ("a.strings", new[] { "x", "▁y", "" }), ("a.floats", new[] { 0.5f, -2f }), ("a.nested", new object[] { new[] { 1, 2 }, new[] { 3 } }),
    ];

    [Fact]
    public void StreamedFileIsByteIdenticalToTheInMemoryWriters()
    {
        var vector = Enumerable.Range(0, 40).Select(i => i * 0.25f).ToArray();
        var matrix = Enumerable.Range(0, 64 * 3).Select(i => MathF.Sin(i)).ToArray();
        var q8 = NextToken.Numerics.Quantization.Quantizer.Quantize(TensorType.Q8_0, matrix, 64);

        var memory = new GgufWriter();
        foreach (var (key, value) in Metadata) memory.AddMetadata(key, value);
        memory.AddTensor("v", vector, 40);
        memory.AddTensor("m", TensorType.Q8_0, [64, 3], q8);
        using var expected = new MemoryStream();
        memory.Write(expected);

        var streamed = new GgufStreamWriter();
        foreach (var (key, value) in Metadata) streamed.AddMetadata(key, value);
        Assert.Equal(160, streamed.DeclareTensor("v", TensorType.F32, [40]));
        Assert.Equal(3 * 2 * 34, streamed.DeclareTensor("m", TensorType.Q8_0, [64, 3]));
        using var actual = new MemoryStream();
        streamed.WriteHeader(actual);
        streamed.WriteTensor(actual, MemoryMarshal.AsBytes(vector.AsSpan()));
        streamed.WriteTensor(actual, s => { s.Write(q8, 0, 34); s.Write(q8, 34, q8.Length - 34); });
        streamed.Finish(actual);

        Assert.Equal(expected.ToArray(), actual.ToArray());
    }

    [Fact]
    public void RoundTripsThroughGgufFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            var writer = new GgufStreamWriter(alignment: 64);
            foreach (var (key, value) in Metadata) writer.AddMetadata(key, value);
            writer.DeclareTensor("ones", TensorType.F32, [3]);
            writer.DeclareTensor("twos", TensorType.F32, [2, 2]);
            using (var stream = File.Create(path))
            {
                writer.WriteHeader(stream);
                writer.WriteTensor(stream, MemoryMarshal.AsBytes(new[] { 1f, 1f, 1f }.AsSpan()));
                writer.WriteTensor(stream, MemoryMarshal.AsBytes(new[] { 2f, 2f, 2f, 2f }.AsSpan()));
                writer.Finish(stream);
            }
            using var gguf = GgufFile.Open(path);
            Assert.Equal(64, gguf.Alignment);
            foreach (var (key, value) in Metadata.Where(m => m.Key != "a.nested")) Assert.Equal(value, gguf.Metadata.Get(key));
            Assert.Equal(new[] { 2f, 2f, 2f, 2f }, MemoryMarshal.Cast<byte, float>(gguf.GetBytes(gguf.GetTensorInfo("twos"))).ToArray());
            Assert.Equal(0, gguf.GetTensorInfo("twos").Offset % 64);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MisuseIsReported()
    {
        var writer = new GgufStreamWriter();
        Assert.Throws<ArgumentException>(() => writer.DeclareTensor("q", TensorType.Q8_0, [48, 2]));
        writer.DeclareTensor("t", TensorType.F32, [2]);
        Assert.Throws<ArgumentException>(() => writer.DeclareTensor("t", TensorType.F32, [2]));
        using var stream = new MemoryStream();
        Assert.Throws<InvalidOperationException>(() => writer.WriteTensor(stream, new byte[8]));
        writer.WriteHeader(stream);
        Assert.Throws<InvalidOperationException>(() => writer.AddMetadata("late", 1));
        Assert.Throws<ArgumentException>(() => writer.WriteTensor(stream, new byte[4]));
        Assert.Throws<InvalidOperationException>(() => writer.Finish(stream));
        writer.WriteTensor(stream, new byte[8]);
        writer.Finish(stream);
        Assert.Throws<InvalidOperationException>(() => writer.WriteTensor(stream, new byte[8]));
    }
}
