namespace NextToken.Files;

/// <summary>The configuration at the start of a llama2.c checkpoint.</summary>
/// <param name="Version">0 for the legacy header, else the version after the "ak42" magic (only 1 is read).</param>
/// <param name="Dimension">Embedding size (dim).</param>
/// <param name="HiddenDimension">Feed-forward size (hidden_dim).</param>
/// <param name="LayerCount">n_layers.</param>
/// <param name="HeadCount">n_heads.</param>
/// <param name="KvHeadCount">n_kv_heads.</param>
/// <param name="VocabularySize">vocab_size.</param>
/// <param name="SequenceLength">seq_len, the longest context.</param>
/// <param name="SharedClassifier">True when the output classifier is the token embedding table.</param>
public sealed record Llama2cHeader(int Version, int Dimension, int HiddenDimension, int LayerCount, int HeadCount, int KvHeadCount,
    int VocabularySize, int SequenceLength, bool SharedClassifier);
