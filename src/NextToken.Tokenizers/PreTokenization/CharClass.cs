using System.Globalization;
using System.Runtime.CompilerServices;

namespace NextToken.Tokenizers.PreTokenization;

/// <summary>
/// The character classes the split patterns test (<c>\p{L}</c>, <c>\p{N}</c>, <c>\s</c>, o200k's upper-like and
/// lower-like sets), as bit flags per code point. The Basic Multilingual Plane is a 64 KiB table built once;
/// other planes ask <see cref="CharUnicodeInfo"/>. Lone surrogates have no flag (they are "other" characters).
/// </summary>
internal static class CharClass
{
    public const byte Letter = 1;      // \p{L}
    public const byte Number = 2;      // \p{N}
    public const byte Space = 4;       // \s (White_Space)
    public const byte UpperLike = 8;   // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
    public const byte LowerLike = 16;  // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
    public const byte Newline = 32;    // \r or \n

    private static readonly byte[] Bmp = BuildBmp();

    private static byte[] BuildBmp()
    {
        var table = new byte[65536];
        for (var c = 0; c < 65536; c++)
            table[c] = c is >= 0xD800 and <= 0xDFFF ? (byte)0 : FromCategory(CharUnicodeInfo.GetUnicodeCategory(c), char.IsWhiteSpace((char)c), c);
        return table;
    }

    private static byte FromCategory(UnicodeCategory category, bool whiteSpace, int codePoint)
    {
        byte flags = category switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter => Letter | UpperLike,
            UnicodeCategory.LowercaseLetter => Letter | LowerLike,
            UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Letter | UpperLike | LowerLike,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => UpperLike | LowerLike,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Number,
            _ => 0,
        };
        if (whiteSpace) flags |= Space;
        if (codePoint is '\r' or '\n') flags |= Newline;
        return flags;
    }

    /// <summary>The flags of the code point starting at <paramref name="index"/>; <paramref name="width"/> is 2 for a surrogate pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte At(ReadOnlySpan<char> text, int index, out int width)
    {
        var c = text[index];
        if (!char.IsHighSurrogate(c) || index + 1 >= text.Length || !char.IsLowSurrogate(text[index + 1]))
        {
            width = 1;
            return Bmp[c];
        }
        width = 2;
        var codePoint = char.ConvertToUtf32(c, text[index + 1]);
        return FromCategory(CharUnicodeInfo.GetUnicodeCategory(codePoint), false, codePoint);
    }

    /// <summary>Flags of the code point ending just before <paramref name="end"/>; <paramref name="width"/> is its length.</summary>
    public static byte Before(ReadOnlySpan<char> text, int start, int end, out int width)
    {
        if (end - 2 >= start && char.IsLowSurrogate(text[end - 1]) && char.IsHighSurrogate(text[end - 2]))
            return At(text, end - 2, out width);
        width = 1;
        return Bmp[text[end - 1]];
    }

    /// <summary>End of the run of code points, starting at <paramref name="index"/>, that have any of <paramref name="flags"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RunEnd(ReadOnlySpan<char> text, int index, byte flags)
    {
        while (index < text.Length)
        {
            var c = text[index];
            if (c < 0xD800)
            {
                if ((Bmp[c] & flags) == 0) return index;
                index++;
            }
            else
            {
                if ((At(text, index, out var w) & flags) == 0) return index;
                index += w;
            }
        }
        return index;
    }

    /// <summary>End of the run of "other" code points (neither letter, number nor white space) from <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int OtherRunEnd(ReadOnlySpan<char> text, int index)
    {
        while (index < text.Length)
        {
            if ((At(text, index, out var w) & (Letter | Number | Space)) != 0) return index;
            index += w;
        }
        return index;
    }

    /// <summary>Length of an English contraction (<c>'s 't 're 've 'm 'll 'd</c>) at <paramref name="index"/>, or 0.</summary>
    public static int Contraction(ReadOnlySpan<char> text, int index, bool ignoreCase)
    {
        if (index + 1 >= text.Length || text[index] != '\'') return 0;
        var a = text[index + 1];
        if (ignoreCase) a = AsciiLower(a);
        if (a is 's' or 't' or 'm' or 'd') return 2;
        if (index + 2 >= text.Length) return 0;
        var b = text[index + 2];
        if (ignoreCase) b = AsciiLower(b);
        return (a, b) is ('r', 'e') or ('v', 'e') or ('l', 'l') ? 3 : 0;
    }

    private static char AsciiLower(char c) => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
}
