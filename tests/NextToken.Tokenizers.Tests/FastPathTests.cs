using System.Text;
using NextToken.Tokenizers.HuggingFace;

namespace NextToken.Tokenizers.Tests;

/// <summary>Every shortcut the encoders take for speed gives exactly what the plain algorithm gives.</summary>
public class FastPathTests
{
    /// <summary>Random text built from words, spaces (several in a row), ▁ written in the text, and characters
    /// that only byte fallback can encode.</summary>
    private static IEnumerable<string> RandomTexts(int seed, int count)
    {
        var random = new Random(seed);
        string[] atoms = ["the", "The", "tokenizer", "a", "x", "1", "2024", " ", " ", "  ", "\n", "\t", "▁", "▁▁", "é", "中", "😀", "\u0301",
            "don't", ".", ",", "(", "▁a", "ℌ", "\u00a0"];
        for (var i = 0; i < count; i++)
        {
            var sb = new StringBuilder();
            var n = random.Next(0, 40);
            for (var k = 0; k < n; k++) sb.Append(atoms[random.Next(atoms.Length)]);
            yield return sb.ToString();
        }
    }

    [Fact]
    public void BpeModelCutIntoWordsEqualsOneMergeOverTheWholePiece()
    {
        var model = (BpeModel)((HuggingFaceTokenizer)LoadedTokenizers.Mistral).Model;
        var document = string.Join(" ", LoadedTokenizers.CorpusLines);
        foreach (var text in RandomTexts(7, 300).Append(document))
        {
            var piece = "▁" + text.Replace(' ', '▁');   // what Mistral's normalizer makes of the text
            var cut = new List<ModelToken>();
            model.Tokenize(piece, cut);
            Assert.Equal(model.TokenizeUncached(piece), cut);
        }
    }
}
