using System.Text.Json;
using HipVision.IO;

namespace HipVision.Weights;

/// <summary>
/// Weights read from safetensors: one file, a Hugging Face model directory (model.safetensors, or a
/// sharded checkpoint described by model.safetensors.index.json), or an index file itself. F16, BF16
/// and F64 tensors are converted to float32 as they are read.
/// </summary>
public sealed class SafeTensorsWeights : IWeightSource
{
    /// <summary>The single-file name transformers saves.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The index transformers writes beside the shards of a large checkpoint.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    readonly List<SafeTensorsFile> _files;
    readonly Dictionary<string, SafeTensorsFile> _byName;

    SafeTensorsWeights(string sourceName, List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> byName)
    {
        SourceName = sourceName;
        _files = files;
        _byName = byName;
    }

    /// <summary>The path as given to <see cref="Open"/>.</summary>
    public string SourceName { get; }

    /// <summary>The opened files (one, or every shard).</summary>
    public IReadOnlyList<SafeTensorsFile> Files => _files;

    /// <summary>Every tensor name across all files.</summary>
    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>Opens a .safetensors file, a model directory, or a model.safetensors.index.json.</summary>
    /// <exception cref="HipVisionException">Nothing to open, or any file is malformed.</exception>
    public static SafeTensorsWeights Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            var single = Path.Combine(path, SingleFileName);
            var index = Path.Combine(path, IndexFileName);
            if (File.Exists(single)) return FromFile(single);
            if (File.Exists(index)) return FromIndex(index);
            throw new HipVisionException($"{path}: directory holds neither {SingleFileName} nor {IndexFileName}");
        }
        return path.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase) ? FromIndex(path) : FromFile(path);
    }

    static SafeTensorsWeights FromFile(string path)
    {
        var file = SafeTensorsFile.Open(path);
        return new SafeTensorsWeights(path, [file], file.Tensors.ToDictionary(t => t.Name, _ => file, StringComparer.Ordinal));
    }

    static SafeTensorsWeights FromIndex(string indexPath)
    {
        var weightMap = ReadWeightMap(indexPath);
        var dir = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var files = new List<SafeTensorsFile>();
        try
        {
            var shards = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            var byName = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var (name, shard) in weightMap)
            {
                if (!shards.TryGetValue(shard, out var file))
                {
                    file = SafeTensorsFile.Open(Path.Combine(dir, shard));
                    files.Add(file);
                    shards[shard] = file;
                }
                if (!file.Contains(name))
                    throw new HipVisionException($"{indexPath}: tensor '{name}' is mapped to {shard}, which does not hold it");
                byName[name] = file;
            }
            return new SafeTensorsWeights(indexPath, files, byName);
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    }

    internal static List<(string Name, string Shard)> ReadWeightMap(string indexPath)
    {
        using var doc = JsonLimits.Load(indexPath, "a shard index");
        return JsonLimits.Read(indexPath, () => WeightMap(doc, indexPath));
    }

    static List<(string Name, string Shard)> WeightMap(JsonDocument doc, string indexPath)
    {
        if (doc.RootElement.ValueKind != JsonValueKind.Object
            || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            throw new HipVisionException($"{indexPath}: no \"weight_map\" object");
        var result = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in map.EnumerateObject())
        {
            // JsonDocument keeps duplicate keys; two shards for one tensor would be silently ambiguous.
            if (!seen.Add(p.Name))
                throw new HipVisionException($"{indexPath}: weight_map names tensor '{PickleReader.Printable(p.Name)}' twice");
            var shard = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : "";
            if (!IsPlainFileName(shard))
                throw new HipVisionException(
                    $"{indexPath}: tensor '{PickleReader.Printable(p.Name)}' maps to '{PickleReader.Printable(p.Value.GetRawText())}', not a file name");
            result.Add((p.Name, shard));
        }
        return result;
    }

    // A shard name is a plain file name beside the index; anything else could reach outside the model
    // ("../x", "/etc/x", "..") or is not a name the OS can open (NUL, control characters).
    static bool IsPlainFileName(string shard) =>
        shard.Length is > 0 and <= 255 && shard != "." && shard != ".." && shard == Path.GetFileName(shard)
        && shard.IndexOfAny(['/', '\\']) < 0 && !shard.Any(char.IsControl);

    /// <summary>True when some file holds the tensor.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The tensor as float32, after checking that it exists and has the expected shape.</summary>
    public float[] Get(string name, int[] expectedShape)
    {
        ArgumentNullException.ThrowIfNull(expectedShape);
        if (!_byName.TryGetValue(name, out var file))
            throw WeightShapes.Missing(SourceName, name);
        WeightShapes.Check(SourceName, name, file.Info(name).Shape, expectedShape);
        return file.ReadFloat32(name);
    }

    /// <summary>Unmaps every file.</summary>
    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
