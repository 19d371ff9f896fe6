using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

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

    /// <summary>
    /// Tells the kernel whether the pages holding [<paramref name="data"/>, +<paramref name="length"/>) will be read
    /// alone (<paramref name="alone"/>: no read-around on a fault) or as usual. Loading reads a few small tensors (norms,
    /// biases) out of a file whose matrices it never touches; each fault on them used to read the disk's whole
    /// read-ahead window around it (8 MB here: 300 MB of a 607 MB model came in to load its norms, 0.74 s instead of
    /// 0.1 s). Advice only: ignored where the system has no madvise or refuses it.
    /// </summary>
    public void AdviseReadAlone(byte* data, long length, bool alone)
    {
        if (length <= 0 || !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return;
        var start = (nint)data & ~(nint)(Environment.SystemPageSize - 1);
        var end = (nint)data + (nint)length;
        try
        {
            _ = madvise(start, (nuint)(end - start), alone ? MadviseRandom : MadviseNormal);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    private const int MadviseNormal = 0;
    private const int MadviseRandom = 1;

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);

    public void Dispose()
    {
        if (_pointer == null) return;
        _pointer = null;
        _view!.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _mapping!.Dispose();
    }
}
