namespace NextToken.Tokenizers.Bpe;

/// <summary>
/// The byte-pair merge itself: start from one symbol per byte (or character), repeatedly merge the adjacent
/// pair with the lowest rank (the leftmost one on a tie) until no pair has a rule. This single loop serves
/// tiktoken (rank = the merged token's rank) and Hugging Face / GPT-2 merges (rank = line of the merge).
/// </summary>
/// <remarks>
/// Performance: pieces are short (English words average under 8 bytes), so for up to
/// <see cref="LinearLimit"/> symbols a plain rescan for the minimum over a compacting array beats a heap;
/// longer pieces (runs of digits, base64, long words without spaces) switch to a binary heap with lazy
/// invalidation so that a 100 KB piece stays O(n log n) instead of O(n²).
/// </remarks>
internal static class BytePairMerger
{
    public const int LinearLimit = 64;

    /// <summary>Merges <paramref name="symbols"/> in place; returns how many remain.</summary>
    public static int Merge(MergeTable merges, Span<int> symbols) => Merge(merges, symbols, []);

    /// <summary>Merges in place and keeps <paramref name="ends"/> (one per symbol, e.g. where it ends in the text) in step:
    /// a merged symbol takes the end of its right half. An empty <paramref name="ends"/> is ignored.</summary>
    public static int Merge(MergeTable merges, Span<int> symbols, Span<int> ends)
    {
        var n = symbols.Length;
        if (n < 2) return n;
        return n <= LinearLimit ? MergeLinear(merges, symbols, ends) : MergeWithHeap(merges, symbols, ends);
    }

    internal static int MergeLinear(MergeTable merges, Span<int> symbols, Span<int> ends)
    {
        var n = symbols.Length;
        Span<long> rules = stackalloc long[LinearLimit];   // rule for (symbols[i], symbols[i + 1])
        for (var i = 0; i < n - 1; i++) rules[i] = merges.Find(symbols[i], symbols[i + 1]);
        while (n > 1)
        {
            var best = -1;
            var bestRank = long.MaxValue;
            for (var i = 0; i < n - 1; i++)
            {
                var r = rules[i];
                if (r >= 0 && r < bestRank) { bestRank = r; best = i; }
            }
            if (best < 0) break;
            symbols[best] = (int)bestRank;
            // Remove symbol best+1 and its rule.
            if (!ends.IsEmpty)
            {
                ends[best] = ends[best + 1];
                for (var i = best + 1; i < n - 1; i++) ends[i] = ends[i + 1];
            }
            for (var i = best + 1; i < n - 1; i++) { symbols[i] = symbols[i + 1]; rules[i] = rules[i + 1]; }
            n--;
            if (best > 0) rules[best - 1] = merges.Find(symbols[best - 1], symbols[best]);
            if (best < n - 1) rules[best] = merges.Find(symbols[best], symbols[best + 1]);
        }
        return n;
    }

    internal static int MergeWithHeap(MergeTable merges, Span<int> symbols, Span<int> ends)
    {
        var n = symbols.Length;
        var next = new int[n];
        var prev = new int[n];
        var alive = new bool[n];
        for (var i = 0; i < n; i++) { next[i] = i + 1; prev[i] = i - 1; alive[i] = true; }
        // Priority (rank, position): the heap's element remembers both symbols so stale entries can be spotted.
        var heap = new PriorityQueue<(int Left, int LeftId, int RightId, int Merged), (int Rank, int Position)>();
        void Push(Span<int> s, int left)
        {
            var right = next[left];
            if (right >= s.Length) return;
            var rule = merges.Find(s[left], s[right]);
            if (rule >= 0) heap.Enqueue((left, s[left], s[right], (int)rule), ((int)(rule >> 32), left));
        }
        for (var i = 0; i < n - 1; i++) Push(symbols, i);
        while (heap.TryDequeue(out var e, out _))
        {
            var right = next[e.Left];
            if (!alive[e.Left] || right >= n || symbols[e.Left] != e.LeftId || symbols[right] != e.RightId) continue;
            symbols[e.Left] = e.Merged;
            if (!ends.IsEmpty) ends[e.Left] = ends[right];
            alive[right] = false;
            next[e.Left] = next[right];
            if (next[right] < n) prev[next[right]] = e.Left;
            if (prev[e.Left] >= 0) Push(symbols, prev[e.Left]);
            Push(symbols, e.Left);
        }
        var count = 0;
        for (var i = 0; i < n; i = next[i])
        {
            if (!ends.IsEmpty) ends[count] = ends[i];
            symbols[count++] = symbols[i];
        }
        return count;
    }
}
