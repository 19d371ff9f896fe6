using System.IO.MemoryMappedFiles;

namespace NextToken.Files;

/// <summary>
/// A whole file mapped read-only into memory, with a pointer that stays valid until <see cref="Dispose"/>.
/// Weight matrices point straight into it (they keep it alive as their owner), so loading a model copies nothing.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? _mapping;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    private MappedFile(string path, long length, MemoryMappedFile? mapping, MemoryMappedViewAccessor? view, byte* pointer)
    {
        Path = path;
        Length = length;
        _mapping = mapping;
        _view = view;
        _pointer = pointer;
    }

    /// <summary>The file, as given.</summary>
    public string Path { get; }

    /// <summary>Its length in bytes.</summary>
    public long Length { get; }

    /// <summary>The first byte of the file.</summary>
    public byte* Pointer => _pointer != null || Length == 0 ? _pointer : throw new ObjectDisposedException(Path);

    /// <summary>Maps <paramref name="path"/>; problems become a <see cref="FileFormatException"/> of <paramref name="kind"/>.</summary>
    public static MappedFile Open(string path, string kind)
    {
        long length;
        try
        {
            length = new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FileFormatException(kind, path, e.Message, e);
        }
        if (length == 0) return new MappedFile(path, 0, null, null, null);
        MemoryMappedFile? mapping = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            mapping = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new MappedFile(path, length, mapping, view, pointer + view.PointerOffset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            view?.Dispose();
            mapping?.Dispose();
            throw new FileFormatException(kind, path, e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message, e);
        }
    }

    /// <summary>The bytes [offset, offset + length), checked against the file's end.</summary>
    public ReadOnlySpan<byte> Span(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset + length > Length) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"[{offset}, +{length}) is outside the file of {Length} bytes");
        return new ReadOnlySpan<byte>(Pointer + offset, length);
    }

    public void Dispose()
    {
        if (_pointer == null) return;
        _pointer = null;
        _view!.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _mapping!.Dispose();
    }
}
