namespace NextToken.Tokenizers.SentencePiece;

// Performance notes. Segmentation is SentencePiece's: symbols in a linked list over the text, a max-heap of
// candidate pairs keyed by the merged piece's score (ties: leftmost first), stale candidates recognised by
// their size and skipped. Pieces are looked up as spans of the text through an alternate-key dictionary, so
// no string is made per candidate. SentencePieceTokenizer calls this once per word when that is provably the
// same as segmenting the whole text (CanSplitIntoWords) and caches each word's answer: on English text most
// words are cache hits, which is where most of the speed comes from. The heap (rather than llama2.c's rescan of all pairs per
// merge) keeps long runs that cannot be split into words, such as a line of 10,000 'a's, at O(n log n).

/// <summary>
/// Byte-pair segmentation as SentencePiece (and llama.cpp, llama2.c) do it: start from single characters
/// (user-defined pieces whole), merge the adjacent pair whose concatenation is the best-scoring piece until no
/// pair is a piece, then turn each symbol into its id, into byte tokens (byte fallback) or into unknown.
/// </summary>
internal sealed class BpeSegmenter
{
    private readonly SentencePieceVocabulary _vocabulary;
    private readonly MergeRule _rule;
    private readonly bool _byteFallback;
    private readonly int _unknownId;
    private readonly UserDefinedMatcher? _userDefined;

    public BpeSegmenter(SentencePieceVocabulary vocabulary, MergeRule rule, bool byteFallback, int unknownId, UserDefinedMatcher? userDefined)
    {
        _vocabulary = vocabulary;
        _rule = rule;
        _byteFallback = byteFallback && vocabulary.HasAllBytes;
        _unknownId = unknownId;
        _userDefined = userDefined;
    }

    private struct Symbol
    {
        public int Start, Length, Prev, Next, Node;
        public bool Frozen;
    }

    private struct Candidate
    {
        public float Score;
        public int Left, Right, Size;
    }

    /// <summary>Merge-tree node: its text span and the two nodes it was made from (-1 for a starting symbol).</summary>
    private struct Node
    {
        public int Start, Length, Left, Right;
    }

    [ThreadStatic] private static Scratch? t_scratch;

    private sealed class Scratch
    {
        public Symbol[] Symbols = new Symbol[64];
        public Node[] Nodes = new Node[128];
        public Candidate[] Heap = new Candidate[128];
    }

    /// <summary>Segments <paramref name="text"/> (already normalized) and appends its tokens to <paramref name="output"/>.</summary>
    public void Segment(ReadOnlySpan<char> text, List<PieceSpan> output)
    {
        if (text.IsEmpty) return;
        var scratch = t_scratch ??= new Scratch();
        if (scratch.Symbols.Length < text.Length) scratch.Symbols = new Symbol[Math.Max(text.Length, scratch.Symbols.Length * 2)];
        if (scratch.Nodes.Length < 2 * text.Length) scratch.Nodes = new Node[Math.Max(2 * text.Length, scratch.Nodes.Length * 2)];
        var symbols = scratch.Symbols;
        var nodes = scratch.Nodes;

        // Split into characters; user-defined pieces are one frozen symbol each.
        var count = 0;
        for (var pos = 0; pos < text.Length;)
        {
            var length = _userDefined?.Match(text[pos..]) ?? 0;
            var frozen = length > 0;
            if (!frozen) length = char.IsHighSurrogate(text[pos]) && pos + 1 < text.Length && char.IsLowSurrogate(text[pos + 1]) ? 2 : 1;
            symbols[count] = new Symbol { Start = pos, Length = length, Prev = count - 1, Next = pos + length < text.Length ? count + 1 : -1, Node = count, Frozen = frozen };
            nodes[count] = new Node { Start = pos, Length = length, Left = -1, Right = -1 };
            count++;
            pos += length;
        }
        var nodeCount = count;

        var heap = new CandidateHeap(scratch);
        for (var i = 0; i + 1 < count; i++) TryAddPair(text, symbols, ref heap, i, i + 1);

        while (heap.Count > 0)
        {
            var top = heap.Pop();
            ref var left = ref symbols[top.Left];
            ref var right = ref symbols[top.Right];
            // Stale: one side was merged away or grew since this candidate was queued.
            if (left.Length == 0 || right.Length == 0 || left.Next != top.Right || left.Length + right.Length != top.Size) continue;

            nodes[nodeCount] = new Node { Start = left.Start, Length = top.Size, Left = left.Node, Right = right.Node };
            left.Node = nodeCount++;
            left.Length = top.Size;
            left.Next = right.Next;
            if (right.Next >= 0) symbols[right.Next].Prev = top.Left;
            right.Length = 0;

            if (left.Prev >= 0) TryAddPair(text, symbols, ref heap, left.Prev, top.Left);
            if (left.Next >= 0) TryAddPair(text, symbols, ref heap, top.Left, left.Next);
        }

        for (var i = 0; i >= 0; i = symbols[i].Next) Emit(text, nodes, symbols[i].Node, output);
    }

    private void TryAddPair(ReadOnlySpan<char> text, Symbol[] symbols, ref CandidateHeap heap, int left, int right)
    {
        ref var l = ref symbols[left];
        ref var r = ref symbols[right];
        if (l.Frozen || r.Frozen) return;
        var size = l.Length + r.Length;
        var id = _vocabulary.Find(text.Slice(l.Start, size));
        if (id < 0) return;
        if (_rule == MergeRule.SentencePiece && _vocabulary.Types[id] is not (PieceType.Normal or PieceType.UserDefined or PieceType.Unused)) return;
        heap.Push(new Candidate { Score = _vocabulary.Scores[id], Left = left, Right = right, Size = size });
    }

    /// <summary>Writes one final symbol: its id, or (for an unused piece) the pieces it was merged from, or its bytes.</summary>
    private void Emit(ReadOnlySpan<char> text, Node[] nodes, int nodeIndex, List<PieceSpan> output)
    {
        var node = nodes[nodeIndex];
        var span = text.Slice(node.Start, node.Length);
        var id = _vocabulary.Find(span);
        if (id >= 0)
        {
            if (node.Left >= 0 && _rule == MergeRule.SentencePiece && _vocabulary.Types[id] == PieceType.Unused)
            {
                Emit(text, nodes, node.Left, output);
                Emit(text, nodes, node.Right, output);
                return;
            }
            output.Add(new PieceSpan(id, node.Start, node.Length));
            return;
        }
        EmitUnknown(_vocabulary, _byteFallback, _unknownId, span, node.Start, output);
    }

    /// <summary>Text with no piece: one byte token per UTF-8 byte when byte fallback is on, else the unknown token.</summary>
    internal static void EmitUnknown(SentencePieceVocabulary vocabulary, bool byteFallback, int unknownId, ReadOnlySpan<char> span, int start, List<PieceSpan> output)
    {
        if (byteFallback)
        {
            Span<byte> buffer = stackalloc byte[256];
            var utf8 = span.Length * 3 <= buffer.Length ? buffer : new byte[span.Length * 3];
            var n = System.Text.Encoding.UTF8.GetBytes(span, utf8);
            for (var i = 0; i < n; i++) output.Add(new PieceSpan(vocabulary.ByteIds[utf8[i]], start, span.Length));
            return;
        }
        output.Add(new PieceSpan(unknownId, start, span.Length));
    }

    /// <summary>A binary max-heap of candidates: higher score first, then the leftmost.</summary>
    private ref struct CandidateHeap(Scratch scratch)
    {
        private Candidate[] _items = scratch.Heap;
        public int Count;

        private static bool Before(in Candidate a, in Candidate b) => a.Score > b.Score || (a.Score == b.Score && a.Left < b.Left);

        public void Push(Candidate c)
        {
            if (Count == _items.Length)
            {
                Array.Resize(ref _items, _items.Length * 2);
                scratch.Heap = _items;
            }
            var i = Count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (!Before(c, _items[parent])) break;
                _items[i] = _items[parent];
                i = parent;
            }
            _items[i] = c;
        }

        public Candidate Pop()
        {
            var top = _items[0];
            var last = _items[--Count];
            var i = 0;
            while (true)
            {
                var child = 2 * i + 1;
                if (child >= Count) break;
                if (child + 1 < Count && Before(_items[child + 1], _items[child])) child++;
                if (!Before(_items[child], last)) break;
                _items[i] = _items[child];
                i = child;
            }
            if (Count > 0) _items[i] = last;
            return top;
        }
    }
}
