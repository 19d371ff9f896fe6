namespace NextToken.Generation.Processing;

/// <summary>
/// The tokens still in the running for the next position: parallel arrays of ids, logits and probabilities, plus
/// whether they are sorted by logit (highest first). Every <see cref="LogitsProcessor"/> works on one of these.
/// Processors that forbid a token set its logit to negative infinity (it stays, with probability 0); processors that
/// truncate (top-k, top-p, min-p, typical-p) remove candidates, so the survivors renormalise among themselves.
/// </summary>
/// <example><code>
/// var candidates = CandidateSet.FromProbabilities([0.1f, 0.2f, 0.3f, 0.4f]);
/// new TopPProcessor(0.7f).Apply(candidates, DecodingContext.Empty);
/// // candidates.Ids = [3, 2], candidates.Probabilities = [0.571429, 0.428571]
/// </code></example>
public sealed class CandidateSet
{
    private int[] _ids;
    private float[] _logits;
    private float[] _probabilities;
    private bool _identityOrder;

    private CandidateSet(int capacity)
    {
        _ids = new int[capacity];
        _logits = new float[capacity];
        _probabilities = new float[capacity];
    }

    /// <summary>A set holding every id of the vocabulary with these logits, in id order.</summary>
    public static CandidateSet FromLogits(ReadOnlySpan<float> logits)
    {
        var set = new CandidateSet(logits.Length);
        set.Reset(logits);
        return set;
    }

    /// <summary>A set whose logits are the natural logarithms of <paramref name="probabilities"/> (handy for hand-checkable cases).</summary>
    public static CandidateSet FromProbabilities(ReadOnlySpan<float> probabilities)
    {
        var logits = new float[probabilities.Length];
        for (var i = 0; i < logits.Length; i++) logits[i] = MathF.Log(probabilities[i]);
        var set = FromLogits(logits);
        set.Softmax();
        return set;
    }

    /// <summary>Refills the set with a full vocabulary of logits, reusing its buffers.</summary>
    public void Reset(ReadOnlySpan<float> logits)
    {
        if (_ids.Length < logits.Length)
        {
            _ids = new int[logits.Length];
            _logits = new float[logits.Length];
            _probabilities = new float[logits.Length];
        }
        Count = logits.Length;
        for (var i = 0; i < Count; i++) _ids[i] = i;
        logits.CopyTo(_logits);
        IsSorted = false;
        HasProbabilities = false;
        Selected = -1;
        _identityOrder = true;
        VocabularySize = logits.Length;
    }

    /// <summary>Size of the vocabulary the set was made from.</summary>
    public int VocabularySize { get; private set; }

    /// <summary>How many candidates remain.</summary>
    public int Count { get; private set; }

    /// <summary>Candidate ids.</summary>
    public Span<int> Ids => _ids.AsSpan(0, Count);

    /// <summary>Candidate logits (scores). Writing them makes <see cref="HasProbabilities"/> stale: call <see cref="InvalidateProbabilities"/>.</summary>
    public Span<float> Logits => _logits.AsSpan(0, Count);

    /// <summary>Candidate probabilities; valid when <see cref="HasProbabilities"/> (see <see cref="Softmax"/>).</summary>
    public Span<float> Probabilities => _probabilities.AsSpan(0, Count);

    /// <summary>Whether <see cref="Probabilities"/> is the softmax of the current <see cref="Logits"/>.</summary>
    public bool HasProbabilities { get; private set; }

    /// <summary>Whether the candidates are ordered by logit, highest first (ties: lower id first).</summary>
    public bool IsSorted { get; private set; }

    /// <summary>Index (into <see cref="Ids"/>) of the token a sampler picked, or -1.</summary>
    public int Selected { get; set; }

    /// <summary>The picked token id.</summary>
    /// <exception cref="InvalidOperationException">No sampler has picked a token yet.</exception>
    public int SelectedId => Selected >= 0 && Selected < Count ? _ids[Selected] : throw new InvalidOperationException("no token has been selected");

    /// <summary>Marks the probabilities stale after logits were changed.</summary>
    public void InvalidateProbabilities()
    {
        HasProbabilities = false;
        IsSorted = false;
    }

    /// <summary>Adds <paramref name="delta"/> to the logit of <paramref name="id"/> if it is still a candidate.</summary>
    public void AddToLogit(int id, float delta)
    {
        var index = IndexOf(id);
        if (index < 0) return;
        _logits[index] += delta;
        InvalidateProbabilities();
    }

    /// <summary>Sets the logit of <paramref name="id"/> if it is still a candidate.</summary>
    public void SetLogit(int id, float value)
    {
        var index = IndexOf(id);
        if (index < 0) return;
        _logits[index] = value;
        InvalidateProbabilities();
    }

    /// <summary>Forbids <paramref name="id"/>: its logit becomes negative infinity.</summary>
    public void Ban(int id) => SetLogit(id, float.NegativeInfinity);

    /// <summary>The logit of <paramref name="id"/>, or null when it is no longer a candidate.</summary>
    public float? LogitOf(int id)
    {
        var index = IndexOf(id);
        return index < 0 ? null : _logits[index];
    }

    /// <summary>Index of <paramref name="id"/> in <see cref="Ids"/>, or -1.</summary>
    public int IndexOf(int id)
    {
        if (_identityOrder) return (uint)id < (uint)Count ? id : -1;
        return Array.IndexOf(_ids, id, 0, Count);
    }

    /// <summary>Computes <see cref="Probabilities"/> as the softmax of <see cref="Logits"/> (in double precision; -∞ gives 0).</summary>
    public void Softmax()
    {
        var max = float.NegativeInfinity;
        for (var i = 0; i < Count; i++) max = Math.Max(max, _logits[i]);
        if (float.IsNegativeInfinity(max) || float.IsNaN(max))
            throw new InvalidOperationException("every candidate has been banned (all logits are -infinity)");
        double sum = 0;
        for (var i = 0; i < Count; i++) sum += Math.Exp((double)_logits[i] - max);
        for (var i = 0; i < Count; i++) _probabilities[i] = (float)(Math.Exp((double)_logits[i] - max) / sum);
        HasProbabilities = true;
    }

    /// <summary>Computes probabilities unless they are current.</summary>
    public void EnsureProbabilities()
    {
        if (!HasProbabilities) Softmax();
    }

    /// <summary>Sorts by logit, highest first; ties keep the lower id first. Probabilities move with their tokens.</summary>
    public void Sort()
    {
        if (IsSorted) return;
        var order = new int[Count];
        for (var i = 0; i < Count; i++) order[i] = i;
        var logits = _logits;
        var ids = _ids;
        Array.Sort(order, (a, b) =>
        {
            var byLogit = logits[b].CompareTo(logits[a]);
            return byLogit != 0 ? byLogit : ids[a].CompareTo(ids[b]);
        });
        Permute(order);
        IsSorted = true;
    }

    /// <summary>Keeps the first <paramref name="count"/> candidates (call <see cref="Sort"/> first to keep the best).</summary>
    public void Truncate(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "cannot keep a negative number of candidates");
        if (count >= Count) return;
        Count = count;
        _identityOrder = false;
        Selected = -1;
        if (HasProbabilities) Softmax();
    }

    /// <summary>Keeps the candidates for which <paramref name="keep"/>(index) is true, in their current order, then renormalises.</summary>
    public void Filter(Func<int, bool> keep)
    {
        var write = 0;
        for (var read = 0; read < Count; read++)
        {
            if (!keep(read)) continue;
            _ids[write] = _ids[read];
            _logits[write] = _logits[read];
            _probabilities[write] = _probabilities[read];
            write++;
        }
        if (write == Count) return;
        Count = write;
        _identityOrder = false;
        Selected = -1;
        if (HasProbabilities) Softmax();
    }

    /// <summary>An independent copy.</summary>
    public CandidateSet Copy()
    {
        var copy = new CandidateSet(Math.Max(1, Count));
        Array.Copy(_ids, copy._ids, Count);
        Array.Copy(_logits, copy._logits, Count);
        Array.Copy(_probabilities, copy._probabilities, Count);
        copy.Count = Count;
        copy.IsSorted = IsSorted;
        copy.HasProbabilities = HasProbabilities;
        copy.Selected = Selected;
        copy._identityOrder = _identityOrder;
        copy.VocabularySize = VocabularySize;
        return copy;
    }

    /// <summary>A full-vocabulary row of logits, with removed candidates at negative infinity.</summary>
    public float[] ToLogitsRow()
    {
        var row = new float[VocabularySize];
        Array.Fill(row, float.NegativeInfinity);
        for (var i = 0; i < Count; i++) row[_ids[i]] = _logits[i];
        return row;
    }

    /// <summary>A full-vocabulary row of probabilities, with removed candidates at 0.</summary>
    public float[] ToProbabilityRow()
    {
        EnsureProbabilities();
        var row = new float[VocabularySize];
        for (var i = 0; i < Count; i++) row[_ids[i]] = _probabilities[i];
        return row;
    }

    private void Permute(int[] order)
    {
        var ids = new int[Count];
        var logits = new float[Count];
        var probabilities = new float[Count];
        for (var i = 0; i < Count; i++)
        {
            ids[i] = _ids[order[i]];
            logits[i] = _logits[order[i]];
            probabilities[i] = _probabilities[order[i]];
        }
        ids.CopyTo(_ids, 0);
        logits.CopyTo(_logits, 0);
        probabilities.CopyTo(_probabilities, 0);
        _identityOrder = false;
        Selected = -1;
    }
}
