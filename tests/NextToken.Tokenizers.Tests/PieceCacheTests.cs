namespace NextToken.Tokenizers.Tests;

/// <summary>The lock-free piece cache behaves as a map that forgets everything when it fills up.</summary>
public class PieceCacheTests
{
    [Fact]
    public void FindsWhatWasAddedAndNothingElse()
    {
        var cache = new PieceCache<int[]>(1000);
        Assert.False(cache.TryGetValue("the", out _));
        cache.Add(" the", [262]);
        cache.Add("the", [1169]);
        cache.Add("", [7]);
        Assert.True(cache.TryGetValue(" the", out var a));
        Assert.Equal([262], a);
        Assert.True(cache.TryGetValue("the".AsSpan(), out var b));
        Assert.Equal([1169], b);
        Assert.True(cache.TryGetValue("", out var empty));
        Assert.Equal([7], empty);
        Assert.False(cache.TryGetValue("th", out _));
        Assert.False(cache.TryGetValue("the ", out _));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void FirstValueOfAPieceStays()
    {
        var cache = new PieceCache<string>(10);
        cache.Add("x", "first");
        cache.Add("x", "second");
        Assert.True(cache.TryGetValue("x", out var v));
        Assert.Equal("first", v);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void StartsOverWhenFull()
    {
        var cache = new PieceCache<string>(100);
        for (var i = 0; i < 100; i++) cache.Add($"piece{i}", $"v{i}");
        Assert.Equal(100, cache.Count);
        Assert.True(cache.TryGetValue("piece99", out _));
        cache.Add("one more", "v");
        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGetValue("one more", out _));
        Assert.False(cache.TryGetValue("piece0", out _));
    }

    [Fact]
    public void ThreadsAddingAndReadingAtOnceSeeOnlyCorrectValues()
    {
        var cache = new PieceCache<string>(1 << 12);
        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var key = ((i * 7919 + worker * 31) % 3000).ToString("x");
                if (cache.TryGetValue(key, out var value)) Assert.Equal("v" + key, value);
                else cache.Add(key, "v" + key);
            }
        });
        Assert.InRange(cache.Count, 1, 3000);
    }
}
