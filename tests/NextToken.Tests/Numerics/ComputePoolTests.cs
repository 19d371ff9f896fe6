using NextToken.Numerics;

namespace NextToken.Tests.Numerics;

public class ComputePoolTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void For_covers_every_index_exactly_once(int threads)
    {
        using var pool = new ComputePool(threads);
        foreach (var count in new[] { 1, 2, 3, 7, 16, 100, 1001 })
            for (var repeat = 0; repeat < 20; repeat++)
            {
                var hits = new int[count];
                pool.For(count, (start, end) =>
                {
                    for (var i = start; i < end; i++) Interlocked.Increment(ref hits[i]);
                });
                Assert.All(hits, h => Assert.Equal(1, h));
            }
    }

    [Fact]
    public void Exceptions_reach_the_caller_and_the_pool_keeps_working()
    {
        using var pool = new ComputePool(3);
        var error = Assert.Throws<InvalidOperationException>(() => pool.For(3, (start, _) =>
        {
            if (start > 0) throw new InvalidOperationException("boom");
        }));
        Assert.Equal("boom", error.Message);
        var total = 0;
        pool.For(10, (start, end) => Interlocked.Add(ref total, end - start));
        Assert.Equal(10, total);
    }

    [Fact]
    public void Nested_calls_run_inline()
    {
        using var pool = new ComputePool(2);
        var total = 0;
        pool.For(4, (start, end) => pool.For(end - start, (s, e) => Interlocked.Add(ref total, e - s)));
        Assert.Equal(4, total);
    }

    [Fact]
    public void Disposed_pool_refuses_work_and_settings_are_kept()
    {
        var pool = new ComputePool(2) { QuantizeActivations = true };
        Assert.True(pool.QuantizeActivations);
        Assert.Equal(2, pool.ThreadCount);
        pool.Dispose();
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.For(10, (_, _) => { }));
        Assert.False(ComputePool.Single.QuantizeActivations);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ComputePool(-1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Small_work_runs_on_one_thread_with_the_same_arithmetic(bool quantize)
    {
        using var pool = new ComputePool(2) { QuantizeActivations = quantize };
        var small = pool.ForWork(ComputePool.InlineWork - 1);
        Assert.Equal(1, small.ThreadCount);
        Assert.Equal(quantize, small.QuantizeActivations);
        Assert.Same(pool, pool.ForWork(ComputePool.InlineWork));
        Assert.Same(ComputePool.Single, ComputePool.Single.ForWork(1));
    }
}
