using System.Text.Json;
using NextToken.Testing;

namespace NextToken.Cli.Tests;

/// <summary>The commands on the embedded default model and the bundled tokenizers, as a user runs them.</summary>
public class CommandTests
{
    private static int[] Ids(JsonElement array) => array.EnumerateArray().Select(t => t.GetInt32()).ToArray();

    private static JsonElement Json(CliRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, result.Error);
        return JsonDocument.Parse(result.Output).RootElement;
    }

    [Fact]
    public void Generate_with_no_model_writes_the_embedded_models_greedy_story()
    {
        // llama.cpp's greedy continuation of the same prompt on the same file is the reference.
        var golden = TestData.JsonLines("golden/stories260K/llamacpp-logits.jsonl").First(l => l.GetProperty("prompt").GetString() == "Once upon a time");
        var expected = golden.GetProperty("greedy").EnumerateArray().Select(t => t.GetInt32()).Take(40).ToArray();
        var result = Json(CliRunner.Run("generate", "Once upon a time", "--max-new-tokens", "40", "--json"));
        Assert.Equal(expected, result.GetProperty("token_ids").EnumerateArray().Select(t => t.GetInt32()).ToArray());
        Assert.StartsWith(", there was a little", result.GetProperty("text").GetString());
    }

    [Fact]
    public void Generate_streams_the_prompt_and_its_continuation_as_text()
    {
        var result = CliRunner.Run("generate", "Once upon a time", "-n", "20");
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Once upon a time, there was a little", result.Output);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public void Seeded_sampling_is_reproducible_from_the_command_line()
    {
        var first = CliRunner.Run("generate", "Once upon a time", "-n", "30", "--temperature", "0.9", "--top-p", "0.95", "--seed", "11");
        var second = CliRunner.Run("generate", "Once upon a time", "-n", "30", "--temperature", "0.9", "--top-p", "0.95", "--seed", "11");
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Output, second.Output);
    }

    [Theory]
    [InlineData("--temperature", "-1", "temperature")]
    [InlineData("--top-p", "1.5", "top_p")]
    [InlineData("--num-beams", "0", "num_beams")]
    public void Bad_decoding_options_name_the_parameter(string option, string value, string name)
    {
        var result = CliRunner.Run("generate", "Once upon a time", option, value);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains(name, result.Error);
    }

    [Fact]
    public void Tokenize_shows_gpt2_ids_for_the_notebook_sentence()
    {
        var result = Json(CliRunner.Run("tokenize", "Preposterous, I'm flabbergasted!", "--tokenizer", TestData.Path("tokenizers/gpt2"), "--json"));
        var ids = result.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("id").GetInt32()).ToArray();
        Assert.Equal([37534, 6197, 516, 11, 314, 1101, 781, 397, 3900, 8992, 0], ids);
        Assert.Equal("Prep", result.GetProperty("tokens")[0].GetProperty("text").GetString());
    }

    [Fact]
    public void Tokenize_finds_a_bundled_encoding_by_name()
    {
        var result = CliRunner.Run("tokenize", "Hello world", "--tokenizer", "cl100k_base");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("9906  Hello", result.Output);
        Assert.Contains("1917  Ġworld", result.Output);
    }

    [Fact]
    public void Tokenize_uses_the_models_tokenizer_by_default_and_adds_bos_on_request()
    {
        var result = Json(CliRunner.Run("tokenize", "Once upon a time", "--add-special-tokens", "--json"));
        var ids = result.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("id").GetInt32()).ToArray();
        Assert.Equal([1, 403, 407, 261, 378], ids);
    }

    [Fact]
    public void An_unknown_tokenizer_name_is_a_clear_error()
    {
        var result = CliRunner.Run("tokenize", "x", "--tokenizer", "no_such_encoding");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--tokenizer 'no_such_encoding'", result.Error);
    }

    [Fact]
    public void Vocab_lists_a_half_open_range_of_ids()
    {
        var result = Json(CliRunner.Run("vocab", "--range", "300..305", "--json"));
        var ids = result.GetProperty("tokens").EnumerateArray().Select(t => t.GetProperty("id").GetInt32()).ToArray();
        Assert.Equal([300, 301, 302, 303, 304], ids);
        Assert.Equal(512, result.GetProperty("vocabulary_size").GetInt32());
    }

    [Fact]
    public void Info_describes_the_embedded_model()
    {
        var result = Json(CliRunner.Run("info", "--json"));
        Assert.Equal("llama", result.GetProperty("architecture").GetString());
        Assert.Equal(5, result.GetProperty("layer_count").GetInt32());
        Assert.Equal(8, result.GetProperty("head_count").GetInt32());
        Assert.Equal(4, result.GetProperty("kv_head_count").GetInt32());
        Assert.Equal(64, result.GetProperty("embedding_length").GetInt32());
        Assert.Equal(512, result.GetProperty("vocabulary_size").GetInt32());
    }

    [Fact]
    public void Next_gives_probabilities_that_agree_with_llama_cpp_logits()
    {
        var golden = TestData.JsonLines("golden/stories260K/llamacpp-logits.jsonl").First(l => l.GetProperty("prompt").GetString() == "Once upon a time");
        var logits = golden.GetProperty("logits").EnumerateArray().Last().EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var max = logits.Max();
        var sum = logits.Sum(l => Math.Exp(l - max));
        var result = Json(CliRunner.Run("next", "Once upon a time", "--top", "3", "--json"));
        var top = result.GetProperty("top").EnumerateArray().ToArray();
        Assert.Equal(3, top.Length);
        var best = Array.IndexOf(logits, max);
        Assert.Equal(best, top[0].GetProperty("id").GetInt32());
        Assert.Equal(Math.Exp(0) / sum, top[0].GetProperty("probability").GetDouble(), 4);
        Assert.True(top[0].GetProperty("probability").GetDouble() >= top[1].GetProperty("probability").GetDouble());
    }

    [Fact]
    public void Score_reports_the_conditional_nll_as_the_difference_of_two_nlls()
    {
        double Nll(params string[] args) => Json(CliRunner.Run(["score", .. args, "--json"])).GetProperty("nll").GetDouble();
        var joint = Nll("The cat sat on the mat.");
        var context = Nll("The cat sat");
        var conditional = Nll("--context", "The cat sat", "--continuation", "on the mat.");
        Assert.Equal(joint - context, conditional, 4);
    }

    [Fact]
    public void Score_needs_both_context_and_continuation()
    {
        var result = CliRunner.Run("score", "--context", "The cat");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--context and --continuation", result.Error);
    }

    [Fact]
    public void Poe_with_one_expert_equals_greedy_generation()
    {
        var plain = Json(CliRunner.Run("generate", "Tom had a dog.", "-n", "20", "--json"));
        var poe = Json(CliRunner.Run("poe", "--prompt", "Tom had a dog.", "-n", "20", "--json"));
        Assert.Equal(Ids(plain.GetProperty("token_ids")), Ids(poe.GetProperty("result").GetProperty("token_ids")));
    }

    [Fact]
    public void Poe_rejects_a_weight_count_that_does_not_match_the_prompts()
    {
        var result = CliRunner.Run("poe", "--prompt", "a", "--prompt", "b", "--weight", "1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--weight", result.Error);
    }

    [Fact]
    public void Speculative_decoding_with_the_model_as_its_own_draft_equals_greedy_and_reports_acceptance()
    {
        var plain = Json(CliRunner.Run("generate", "Once upon a time", "-n", "24", "--json"));
        var speculative = Json(CliRunner.Run("speculative", "Once upon a time", "-n", "24", "--json"));
        Assert.Equal(Ids(plain.GetProperty("token_ids")), Ids(speculative.GetProperty("token_ids")));
        Assert.Equal(1.0, speculative.GetProperty("speculation").GetProperty("acceptance_rate").GetDouble());
    }

    [Fact]
    public void Bench_reports_speeds_and_memory_as_json()
    {
        var result = Json(CliRunner.Run("bench", "--prompt-tokens", "8", "--gen-tokens", "4", "--repeats", "1", "--threads", "1", "--json"));
        Assert.True(result.GetProperty("prefill_tokens_per_second").GetDouble() > 0);
        Assert.True(result.GetProperty("decode_tokens_per_second").GetDouble() > 0);
        Assert.True(result.GetProperty("peak_memory_bytes").GetInt64() > 0);
        Assert.Equal(1, result.GetProperty("threads").GetInt32());
    }
}
