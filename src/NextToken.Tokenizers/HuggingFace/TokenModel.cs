using System.Text.Json;

namespace NextToken.Tokenizers.HuggingFace;

/// <summary>One token a model produced for a piece: its id and the characters of the piece it covers.</summary>
internal readonly record struct ModelToken(int Id, int Start, int End);

/// <summary>A <c>tokenizer.json</c> model: turns one pre-tokenized piece into tokens (BPE, Unigram, WordPiece).</summary>
internal abstract class TokenModel
{
    /// <summary>Token text by id (the vocabulary's own spelling); null for ids the model does not have.</summary>
    public abstract string?[] Pieces { get; }

    public abstract int? UnknownId { get; }

    public abstract int? Find(string piece);

    public abstract void Tokenize(string piece, List<ModelToken> output);

    public static TokenModel Read(JsonElement e, JsonFields f)
    {
        var type = e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!
            : e.TryGetProperty("merges", out _) ? "BPE" : e.TryGetProperty("vocab", out var v) && v.ValueKind == JsonValueKind.Array ? "Unigram" : "WordPiece";
        return type switch
        {
            "BPE" => BpeModel.Read(e, f),
            "Unigram" => UnigramModel.Read(e, f),
            "WordPiece" => WordPieceModel.Read(e, f),
            _ => throw f.Error($"model type '{type}' is not supported"),
        };
    }

    /// <summary>Reads a <c>vocab</c> object (piece → id) into a dictionary and an id-indexed array.</summary>
    protected static (Dictionary<string, int> Vocab, string?[] Pieces) ReadVocabObject(JsonElement model, JsonFields f)
    {
        if (!model.TryGetProperty("vocab", out var v) || v.ValueKind != JsonValueKind.Object) throw f.Error("model.vocab should be an object from token to id");
        var vocab = new Dictionary<string, int>(v.GetPropertyCount(), StringComparer.Ordinal);
        var max = -1;
        foreach (var p in v.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out var id) || id < 0 || id > 50_000_000)
                throw f.Error($"model.vocab: token '{p.Name}' has no valid id");
            vocab[p.Name] = id;
            max = Math.Max(max, id);
        }
        var pieces = new string?[max + 1];
        foreach (var (piece, id) in vocab) pieces[id] = piece;
        return (vocab, pieces);
    }
}
