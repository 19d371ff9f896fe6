using NextToken.Gguf;

namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// Reads a GGUF file's <c>llama</c> vocabulary (<c>tokenizer.ggml.tokens</c>, <c>.scores</c>, <c>.token_type</c>,
/// special ids and flags) with llama.cpp's defaults: BOS 1, EOS 2, unknown 0, BOS added, a space prefix, and
/// merges into any vocabulary entry.
/// </summary>
internal static class GgufVocabularyReader
{
    public static SentencePieceOptions Read(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var path = metadata.FilePath;
        FileFormatException Error(string problem) => new("tokenizer", path, problem);

        var model = metadata.GetString("tokenizer.ggml.model", null) ?? throw Error("metadata 'tokenizer.ggml.model' is missing");
        if (model != "llama") throw Error($"tokenizer.ggml.model is '{model}', not the SentencePiece 'llama' vocabulary");
        var tokens = metadata.GetArray<string>("tokenizer.ggml.tokens") ?? throw Error("metadata 'tokenizer.ggml.tokens' is missing");
        if (tokens.Length == 0) throw Error("tokenizer.ggml.tokens is empty");

        var scores = ReadFloats(metadata, "tokenizer.ggml.scores", Error) ?? new float[tokens.Length];
        if (scores.Length != tokens.Length)
            throw Error($"tokenizer.ggml.scores has {scores.Length} entries but tokenizer.ggml.tokens has {tokens.Length}");
        var rawTypes = ReadIntegers(metadata, "tokenizer.ggml.token_type", Error);
        if (rawTypes is not null && rawTypes.Length != tokens.Length)
            throw Error($"tokenizer.ggml.token_type has {rawTypes.Length} entries but tokenizer.ggml.tokens has {tokens.Length}");
        var types = new PieceType[tokens.Length];
        for (var i = 0; i < types.Length; i++)
        {
            var t = rawTypes?[i] ?? (long)PieceType.Normal;
            if (t is < 1 or > 6) throw Error($"token {i} has type {t} (expected 1 to 6)");
            types[i] = (PieceType)t;
        }

        return new SentencePieceOptions
        {
            SourcePath = path,
            Pieces = tokens,
            Scores = scores,
            Types = types,
            Algorithm = SegmentationAlgorithm.Bpe,
            MergeRule = MergeRule.AnyPiece,
            ByteFallback = true,
            UnknownId = SpecialId(metadata, "tokenizer.ggml.unknown_token_id", 0),
            BosId = SpecialId(metadata, "tokenizer.ggml.bos_token_id", 1),
            EosId = SpecialId(metadata, "tokenizer.ggml.eos_token_id", 2),
            PadId = SpecialId(metadata, "tokenizer.ggml.padding_token_id", null),
            AddBos = metadata.GetBool("tokenizer.ggml.add_bos_token", null) ?? true,
            AddEos = metadata.GetBool("tokenizer.ggml.add_eos_token", null) ?? false,
            AddDummyPrefix = metadata.GetBool("tokenizer.ggml.add_space_prefix", null) ?? true,
            RemoveExtraWhitespaces = false,
        };
    }

    /// <summary>A special-token id; -1 (or 0xFFFFFFFF as stored by some converters) means none.</summary>
    private static int? SpecialId(GgufMetadata metadata, string key, int? fallback)
    {
        var value = metadata.GetInteger(key, null);
        if (value is null) return fallback;
        if (value is -1 or 0xFFFFFFFF) return null;
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : int.MaxValue; // out of range: rejected by the tokenizer
    }

    private static float[]? ReadFloats(GgufMetadata metadata, string key, Func<string, FileFormatException> error) => metadata.Get(key) switch
    {
        null => null,
        float[] f => f,
        double[] d => Array.ConvertAll(d, x => (float)x),
        var other => throw error($"metadata '{key}' should be an array of floats but is {other.GetType().Name}"),
    };

    private static long[]? ReadIntegers(GgufMetadata metadata, string key, Func<string, FileFormatException> error) => metadata.Get(key) switch
    {
        null => null,
        int[] a => Array.ConvertAll(a, x => (long)x),
        uint[] a => Array.ConvertAll(a, x => (long)x),
        long[] a => a,
        ulong[] a => Array.ConvertAll(a, x => x > long.MaxValue ? -1 : (long)x),
        short[] a => Array.ConvertAll(a, x => (long)x),
        ushort[] a => Array.ConvertAll(a, x => (long)x),
        sbyte[] a => Array.ConvertAll(a, x => (long)x),
        byte[] a => Array.ConvertAll(a, x => (long)x),
        var other => throw error($"metadata '{key}' should be an array of integers but is {other.GetType().Name}"),
    };
}
