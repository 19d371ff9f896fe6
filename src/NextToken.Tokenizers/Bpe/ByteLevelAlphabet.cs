namespace NextToken.Tokenizers.Bpe;

/// <summary>
/// GPT-2's byte-level alphabet: each of the 256 byte values is shown as one printable character, so that a
/// vocabulary of byte strings can be stored as text. Printable Latin-1 bytes stand for themselves; the others
/// (control characters, space, …) are moved to U+0100 onwards in byte order, which is why a space shows as
/// <c>Ġ</c> (U+0120) and a newline as <c>Ċ</c> (U+010A).
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = Build();
    private static readonly short[] CharToByte = BuildInverse();

    private static char[] Build()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static short[] BuildInverse()
    {
        var inverse = new short[512];
        Array.Fill(inverse, (short)-1);
        for (var b = 0; b < 256; b++) inverse[ByteToChar[b]] = (short)b;
        return inverse;
    }

    /// <summary>The character that stands for a byte.</summary>
    public static char ToChar(byte b) => ByteToChar[b];

    /// <summary>The byte a character stands for, or -1 when it is not in the alphabet.</summary>
    public static int ToByte(char c) => c < 512 ? CharToByte[c] : -1;

    /// <summary>Bytes shown in the alphabet: <c>" the"</c> → <c>"Ġthe"</c>.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (span, b) =>
        {
            for (var i = 0; i < b.Length; i++) span[i] = ByteToChar[b[i]];
        });
    }

    /// <summary>The bytes of a string written in the alphabet, or null when a character is outside it.</summary>
    public static byte[]? Decode(ReadOnlySpan<char> text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var b = ToByte(text[i]);
            if (b < 0) return null;
            bytes[i] = (byte)b;
        }
        return bytes;
    }
}
