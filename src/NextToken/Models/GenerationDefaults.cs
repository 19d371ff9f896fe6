using System.Text.Json;

namespace NextToken.Models;

/// <summary>The sampling defaults a Hugging Face model ships in <c>generation_config.json</c>; null where the file is silent.</summary>
public sealed record GenerationDefaults
{
    public bool? DoSample { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public double? MinP { get; init; }
    public double? RepetitionPenalty { get; init; }
    public int? MaxNewTokens { get; init; }
    public int? MaxLength { get; init; }
    public int? BosTokenId { get; init; }
    /// <summary>Every id that ends generation (<c>eos_token_id</c> may be one id or a list).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    public int? PadTokenId { get; init; }

    /// <summary>Reads <c>generation_config.json</c>.</summary>
    /// <exception cref="FileFormatException">Not JSON, or a field of the wrong type.</exception>
    public static GenerationDefaults Read(string path)
    {
        using var json = JsonConfig.Open(path, "generation config");
        return new GenerationDefaults
        {
            DoSample = json.Bool("do_sample"),
            Temperature = json.Number("temperature"),
            TopP = json.Number("top_p"),
            TopK = json.Int("top_k"),
            MinP = json.Number("min_p"),
            RepetitionPenalty = json.Number("repetition_penalty"),
            MaxNewTokens = json.Int("max_new_tokens"),
            MaxLength = json.Int("max_length"),
            BosTokenId = json.Int("bos_token_id"),
            EosTokenIds = json.IntOrList("eos_token_id"),
            PadTokenId = json.Int("pad_token_id"),
        };
    }
}
