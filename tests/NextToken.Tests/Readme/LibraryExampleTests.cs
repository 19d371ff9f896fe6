using NextToken.Generation;
using NextToken.Models;
using NextToken.Scoring;
using NextToken.Testing;
using NextToken.Tokenizers;

namespace NextToken.Tests.Readme;

/// <summary>The README's library page, step by step, with the values it promises.</summary>
public class LibraryExampleTests
{
    [Fact]
    public async Task The_readme_library_example_works_as_written()
    {
        var gpt2 = Tokenizer.FromDirectory(TestData.Path("tokenizers/gpt2"));
        int[] ids = gpt2.Encode("The theory of relativity is");
        Assert.Equal([464, 4583, 286, 44449, 318], ids);
        Assert.Equal("Ġtheory", gpt2.TokenToPiece(ids[1]));

        using var model = LanguageModel.Load(TestData.DefaultModel);
        using var session = model.CreateSession();
        var prompt = model.Tokenizer.Encode("Once upon a time", addSpecialTokens: true);
        var result = session.Forward(prompt, ForwardOptions.AllLogits);
        Assert.Equal(prompt.Length, result.Rows);
        Assert.Equal(model.Info.VocabularySize, result.LastLogits.Length);

        using var inspect = model.CreateSession();
        var detail = inspect.Forward(prompt, new ForwardOptions { HiddenStates = true, Attentions = true });
        Assert.Equal(model.Info.LayerCount + 1, detail.HiddenStates!.Count);
        Assert.Equal(model.Info.LayerCount, detail.Attentions!.Count);

        var generator = new Generator(model);
        var text = "";
        await foreach (var token in generator.StreamAsync("Once upon a time", new GenerationOptions { MaxNewTokens = 50 }))
            text += token.Text;
        Assert.StartsWith(", there was a little girl named Lily", text);

        var scorer = new Scorer(model);
        double nll = scorer.ConditionalNll("The capital of France is", "Paris.");
        Assert.True(nll > 0 && double.IsFinite(nll));
    }
}
