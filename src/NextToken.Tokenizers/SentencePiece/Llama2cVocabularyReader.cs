using System.Buffers.Binary;
using System.Text;

namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// Reads a llama2.c <c>tokenizer.bin</c>: <c>i32 max_token_length</c>, then until the end of the file, per token,
/// <c>f32 score, i32 length, length bytes</c>. The exporter wrote spaces for ▁ and <c>"\n&lt;s&gt;\n"</c>,
/// <c>"\n&lt;/s&gt;\n"</c> for BOS and EOS; this reader restores SentencePiece's forms. llama2.c's conventions
/// fix the rest: id 0 unknown, 1 BOS, 2 EOS, <c>&lt;0xXX&gt;</c> byte tokens, a dummy prefix, BOS added.
/// </summary>
internal static class Llama2cVocabularyReader
{
    public static SentencePieceOptions Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileFormatException Error(string problem) => new("tokenizer", path, problem);
        var data = ReadAllBytes(path, Error);
        if (data.Length == 0) throw Error("the file is empty");
        if (data.Length < 4) throw Error("too short for a llama2.c tokenizer (no max_token_length)");
        var maxTokenLength = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (maxTokenLength <= 0) throw Error($"max_token_length is {maxTokenLength}; not a llama2.c tokenizer");

        var pieces = new List<string>();
        var scores = new List<float>();
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var position = 4;
        while (position < data.Length)
        {
            var id = pieces.Count;
            if (data.Length - position < 8) throw Error($"token {id} is truncated ({data.Length - position} bytes left, its header needs 8)");
            var score = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(position));
            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(position + 4));
            position += 8;
            if (length < 0 || length > data.Length - position)
                throw Error($"token {id} has length {length}, past the end of the file ({data.Length - position} bytes left)");
            string text;
            try
            {
                text = strict.GetString(data, position, length);
            }
            catch (DecoderFallbackException e)
            {
                throw new FileFormatException("tokenizer", path, $"token {id} is not valid UTF-8", e);
            }
            position += length;
            pieces.Add(id switch
            {
                1 when text == "\n<s>\n" => "<s>",
                2 when text == "\n</s>\n" => "</s>",
                _ => text.Replace(' ', '▁'),
            });
            scores.Add(score);
        }
        if (pieces.Count < 3) throw Error($"only {pieces.Count} tokens; llama2.c needs at least <unk>, <s> and </s>");

        var types = new PieceType[pieces.Count];
        for (var id = 0; id < types.Length; id++)
        {
            types[id] = id switch
            {
                0 => PieceType.Unknown,
                1 or 2 => PieceType.Control,
                _ => SentencePieceVocabulary.TryParseBytePiece(pieces[id], out _) ? PieceType.Byte : PieceType.Normal,
            };
        }
        return new SentencePieceOptions
        {
            SourcePath = path,
            Pieces = [.. pieces],
            Scores = [.. scores],
            Types = types,
            Algorithm = SegmentationAlgorithm.Bpe,
            MergeRule = MergeRule.AnyPiece,
            ByteFallback = true,
            UnknownId = 0,
            BosId = 1,
            EosId = 2,
            AddBos = true,
            AddEos = false,
            AddDummyPrefix = true,
        };
    }

    internal static byte[] ReadAllBytes(string path, Func<string, FileFormatException> error)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw error("no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FileFormatException("tokenizer", path, e.Message, e);
        }
    }
}
