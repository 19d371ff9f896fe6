using System.Text;
using NextToken.Tokenizers.Bpe;
using NextToken.Tokenizers.HuggingFace;
using NextToken.Tokenizers.Tiktoken;

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

    [Fact]
    public void TiktokenRulesDerivedFromBytesEqualTheTableOfEverySplit()
    {
        var ranks = TiktokenTokenizers.ReadRanks(Path.Combine(LoadedTokenizers.TiktokenDirectory, "r50k_base.tiktoken"));
        var table = new ByteSequenceTable(ranks);
        var derived = MergeTable.FromTokenBytes(table, ranks);
        // The plain definition: every split of every token into two tokens is a rule at the token's rank.
        var eager = new MergeTable(ranks.Length * 4);
        var rules = new List<(int Left, int Right)>();
        for (var id = 0; id < ranks.Length; id++)
        {
            var bytes = ranks[id]!;
            for (var k = 1; k < bytes.Length; k++)
            {
                var left = table.Find(bytes.AsSpan(0, k));
                var right = table.Find(bytes.AsSpan(k));
                if (left < 0 || right < 0) continue;
                eager.Add(left, right, id, id);
                rules.Add((left, right));
            }
        }
        Assert.True(rules.Count > ranks.Length / 2);
        for (var pass = 0; pass < 2; pass++)   // the first pass derives each rule, the second finds it remembered
            foreach (var (left, right) in rules) Assert.Equal(eager.Find(left, right), derived.Find(left, right));
        var random = new Random(3);
        for (var i = 0; i < 20_000; i++)
        {
            // Mostly short tokens, so that a good share of the pairs are rules.
            var left = random.Next(i % 2 == 0 ? 300 : ranks.Length);
            var right = random.Next(i % 3 == 0 ? ranks.Length : 300);
            Assert.Equal(eager.Find(left, right), derived.Find(left, right));
            Assert.Equal(eager.Find(left, right), derived.Find(left, right));
        }
    }

    [Theory]
    [InlineData("""["a b", "ab \"", "\u00e9 a", "é a"]""")]
    [InlineData("""[["a", "b"], ["ab", "\""], ["\u00e9", "a"], ["é", "a"]]""")]
    public void MergesReadFromTheDocumentBytesKeepEscapesAndBothForms(string merges)
    {
        var dir = Directory.CreateTempSubdirectory("nexttoken-merges-").FullName;
        try
        {
            var path = Path.Combine(dir, "tokenizer.json");
            File.WriteAllText(path, $$$"""{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "\"": 3, "ab\"": 4, "é": 5, "éa": 6}, "merges": {{{merges}}}}}""");
            var tokenizer = Tokenizer.FromFile(path);
            Assert.Equal([4, 6, 2], tokenizer.Encode("ab\"éaab"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
