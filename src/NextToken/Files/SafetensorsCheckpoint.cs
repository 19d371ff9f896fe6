using System.Text.Json;

namespace NextToken.Files;

/// <summary>
/// The safetensors weights of a Hugging Face folder: <c>model.safetensors</c>, or the shards named by
/// <c>model.safetensors.index.json</c>'s <c>weight_map</c>. Tensors are looked up by name across all shards.
/// </summary>
public sealed class SafetensorsCheckpoint : ITensorSource
{
    /// <summary>The index file of a sharded checkpoint.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>The single file of an unsharded checkpoint.</summary>
    public const string SingleFileName = "model.safetensors";

    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _byTensor;

    private SafetensorsCheckpoint(string path, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> byTensor)
    {
        Path = path;
        _files = files;
        _byTensor = byTensor;
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The shard files.</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    /// <summary>True when the folder holds safetensors weights.</summary>
    public static bool Exists(string directory) =>
        File.Exists(System.IO.Path.Combine(directory, IndexFileName)) || File.Exists(System.IO.Path.Combine(directory, SingleFileName));

    /// <summary>Opens the weights of a folder.</summary>
    /// <exception cref="FileFormatException">No weights, a malformed index, a missing shard, or a bad shard.</exception>
    public static SafetensorsCheckpoint Open(string directory)
    {
        var indexPath = System.IO.Path.Combine(directory, IndexFileName);
        var files = new List<SafetensorsFile>();
        var byTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(indexPath))
            {
                var shards = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
                foreach (var (tensor, shardName) in ReadWeightMap(indexPath))
                {
                    if (!shards.TryGetValue(shardName, out var shard))
                    {
                        if (shardName.Contains('/') || shardName.Contains('\\') || shardName.Contains(".."))
                            throw new FileFormatException("safetensors index", indexPath, $"shard name '{shardName}' is not a file in the folder");
                        var shardPath = System.IO.Path.Combine(directory, shardName);
                        if (!File.Exists(shardPath)) throw new FileFormatException("safetensors index", indexPath, $"shard '{shardName}' (holding '{tensor}') is missing");
                        shard = SafetensorsFile.Open(shardPath);
                        shards[shardName] = shard;
                        files.Add(shard);
                    }
                    if (shard.FindTensor(tensor) is null)
                        throw new FileFormatException("safetensors file", shard.Path, $"tensor '{tensor}' listed in the index is not in the shard");
                    byTensor[tensor] = shard;
                }
            }
            else
            {
                var single = System.IO.Path.Combine(directory, SingleFileName);
                if (!File.Exists(single)) throw new FileFormatException("model", directory, $"no {SingleFileName} or {IndexFileName} in the folder");
                var file = SafetensorsFile.Open(single);
                files.Add(file);
                foreach (var t in file.Tensors) byTensor[t.Name] = file;
            }
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
        return new SafetensorsCheckpoint(directory, files, byTensor);
    }

    /// <summary>The tensor's entry and the shard holding it, or null.</summary>
    public (SafetensorsFile File, SafetensorsTensorInfo Tensor)? FindTensor(string name) =>
        _byTensor.TryGetValue(name, out var file) ? (file, file.FindTensor(name)!) : null;

    IEnumerable<string> ITensorSource.TensorNames => _byTensor.Keys;

    bool ITensorSource.TryGetTensor(string name, out TensorView tensor)
    {
        if (_byTensor.TryGetValue(name, out var file)) return ((ITensorSource)file).TryGetTensor(name, out tensor);
        tensor = default;
        return false;
    }

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }

    private static IEnumerable<(string Tensor, string Shard)> ReadWeightMap(string indexPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new FileFormatException("safetensors index", indexPath, $"not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new FileFormatException("safetensors index", indexPath, "no weight_map object");
            var entries = new List<(string, string)>();
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String) throw new FileFormatException("safetensors index", indexPath, $"weight_map entry '{entry.Name}' is not a file name");
                entries.Add((entry.Name, entry.Value.GetString()!));
            }
            return entries;
        }
    }
}
