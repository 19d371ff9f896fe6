namespace NextToken.Tokenizers.SentencePiece;

/// <summary>
/// Reads a SentencePiece <c>ModelProto</c> (<c>tokenizer.model</c>). Field numbers from
/// <c>sentencepiece_model.proto</c>: ModelProto {1 pieces, 2 trainer_spec, 3 normalizer_spec};
/// SentencePiece {1 piece, 2 score, 3 type}; TrainerSpec {3 model_type, 24 treat_whitespace_as_suffix,
/// 35 byte_fallback, 40 unk_id, 41 bos_id, 42 eos_id, 43 pad_id}; NormalizerSpec {1 name,
/// 2 precompiled_charsmap, 3 add_dummy_prefix, 4 remove_extra_whitespaces, 5 escape_whitespaces}.
/// Other fields (training settings, self-test data, the denormalizer) are skipped.
/// </summary>
internal static class SentencePieceModelReader
{
    public static SentencePieceOptions Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileFormatException Error(string problem) => new("tokenizer", path, problem);
        var data = Llama2cVocabularyReader.ReadAllBytes(path, Error);
        if (data.Length == 0) throw Error("the file is empty");
        return Parse(data, path);
    }

    public static SentencePieceOptions Parse(ReadOnlySpan<byte> data, string path)
    {
        FileFormatException Error(string problem) => new("tokenizer", path, problem);
        var pieces = new List<string>();
        var scores = new List<float>();
        var types = new List<PieceType>();
        var trainer = new TrainerSettings();
        var normalizer = new NormalizerSettings();

        var reader = new ProtobufReader(data, Error);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1:
                    reader.Expect(wire, ProtobufReader.LengthDelimited, "pieces");
                    ReadPiece(reader.ReadBytes(), pieces.Count, Error, out var piece, out var score, out var type);
                    pieces.Add(piece);
                    scores.Add(score);
                    types.Add(type);
                    break;
                case 2:
                    reader.Expect(wire, ProtobufReader.LengthDelimited, "trainer_spec");
                    ReadTrainer(reader.ReadBytes(), trainer, Error);
                    break;
                case 3:
                    reader.Expect(wire, ProtobufReader.LengthDelimited, "normalizer_spec");
                    ReadNormalizer(reader.ReadBytes(), normalizer, Error);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        if (pieces.Count == 0) throw Error("not a SentencePiece model (no pieces)");

        var algorithm = trainer.ModelType switch
        {
            1 => SegmentationAlgorithm.Unigram,
            2 => SegmentationAlgorithm.Bpe,
            3 => throw Error("model type WORD is not supported (only UNIGRAM and BPE are)"),
            4 => throw Error("model type CHAR is not supported (only UNIGRAM and BPE are)"),
            var other => throw Error($"unknown model type {other}"),
        };
        var unknownIds = Enumerable.Range(0, pieces.Count).Where(i => types[i] == PieceType.Unknown).ToArray();
        if (unknownIds.Length != 1) throw Error(unknownIds.Length == 0 ? "no piece has type UNKNOWN" : "more than one piece has type UNKNOWN");

        int? Control(int id) => id >= 0 && id < pieces.Count && types[id] is PieceType.Control or PieceType.UserDefined ? id : null;
        PrecompiledCharsMap? charsMap = normalizer.CharsMap is { Length: > 0 } blob ? PrecompiledCharsMap.Parse(blob, Error) : null;
        return new SentencePieceOptions
        {
            SourcePath = path,
            Pieces = [.. pieces],
            Scores = [.. scores],
            Types = [.. types],
            Algorithm = algorithm,
            MergeRule = MergeRule.SentencePiece,
            ByteFallback = trainer.ByteFallback,
            UnknownId = unknownIds[0],
            BosId = Control(trainer.BosId),
            EosId = Control(trainer.EosId),
            PadId = Control(trainer.PadId),
            AddBos = Control(trainer.BosId) is not null,
            AddEos = false,
            AddDummyPrefix = normalizer.AddDummyPrefix,
            RemoveExtraWhitespaces = normalizer.RemoveExtraWhitespaces,
            EscapeWhitespaces = normalizer.EscapeWhitespaces,
            TreatWhitespaceAsSuffix = trainer.TreatWhitespaceAsSuffix,
            CharsMap = charsMap,
        };
    }

    private static void ReadPiece(ReadOnlySpan<byte> message, int index, Func<string, Exception> error, out string piece, out float score, out PieceType type)
    {
        string? text = null;
        score = 0;
        type = PieceType.Normal;
        var reader = new ProtobufReader(message, error);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1: reader.Expect(wire, ProtobufReader.LengthDelimited, "piece"); text = reader.ReadString(); break;
                case 2: reader.Expect(wire, ProtobufReader.Fixed32, "score"); score = reader.ReadFloat(); break;
                case 3:
                    reader.Expect(wire, ProtobufReader.Varint, "type");
                    var t = reader.ReadInt32();
                    if (t is < 1 or > 6) throw error($"piece {index} has type {t} (expected 1 to 6)");
                    type = (PieceType)t;
                    break;
                default: reader.Skip(wire); break;
            }
        }
        piece = text ?? throw error($"piece {index} has no text");
    }

    private sealed class TrainerSettings
    {
        public int ModelType = 1, UnknownId, BosId = 1, EosId = 2, PadId = -1;
        public bool ByteFallback, TreatWhitespaceAsSuffix;
    }

    private static void ReadTrainer(ReadOnlySpan<byte> message, TrainerSettings settings, Func<string, Exception> error)
    {
        var reader = new ProtobufReader(message, error);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field is 3 or 24 or 35 or 40 or 41 or 42 or 43)
            {
                reader.Expect(wire, ProtobufReader.Varint, $"trainer_spec.{field}");
                var value = reader.ReadInt32();
                switch (field)
                {
                    case 3: settings.ModelType = value; break;
                    case 24: settings.TreatWhitespaceAsSuffix = value != 0; break;
                    case 35: settings.ByteFallback = value != 0; break;
                    case 40: settings.UnknownId = value; break;
                    case 41: settings.BosId = value; break;
                    case 42: settings.EosId = value; break;
                    case 43: settings.PadId = value; break;
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }
    }

    private sealed class NormalizerSettings
    {
        public byte[]? CharsMap;
        public bool AddDummyPrefix = true, RemoveExtraWhitespaces = true, EscapeWhitespaces = true;
    }

    private static void ReadNormalizer(ReadOnlySpan<byte> message, NormalizerSettings settings, Func<string, Exception> error)
    {
        var reader = new ProtobufReader(message, error);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 2: reader.Expect(wire, ProtobufReader.LengthDelimited, "precompiled_charsmap"); settings.CharsMap = reader.ReadBytes().ToArray(); break;
                case 3: reader.Expect(wire, ProtobufReader.Varint, "add_dummy_prefix"); settings.AddDummyPrefix = reader.ReadBool(); break;
                case 4: reader.Expect(wire, ProtobufReader.Varint, "remove_extra_whitespaces"); settings.RemoveExtraWhitespaces = reader.ReadBool(); break;
                case 5: reader.Expect(wire, ProtobufReader.Varint, "escape_whitespaces"); settings.EscapeWhitespaces = reader.ReadBool(); break;
                default: reader.Skip(wire); break;
            }
        }
    }
}
