using System.IO.Compression;
using System.Text.Json;

namespace HipVision.Tests.Weights;

/// <summary>One entry of a fixture's state_dict_manifest.json.</summary>
sealed record ManifestEntry(string Name, int[] Shape, string Dtype, string Rule, double Offset, double Scale, uint Crc32, uint[] First);

/// <summary>Reads a fixture's state_dict_manifest.json (or .json.gz) and its formula seed from fixture.json.</summary>
static class StateDictManifest
{
    /// <summary>Every model fixture folder name, e.g. "tiny-vit".</summary>
    public static IEnumerable<string> Models() =>
        Directory.GetDirectories(Fixtures.Under("models")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static List<ManifestEntry> Read(string model)
    {
        var dir = Fixtures.Model(model);
        var plain = Path.Combine(dir, "state_dict_manifest.json");
        using Stream raw = File.Exists(plain) ? File.OpenRead(plain) : File.OpenRead(plain + ".gz");
        using Stream stream = File.Exists(plain) ? raw : new GZipStream(raw, CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(stream);
        var list = new List<ManifestEntry>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var shape = e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var dtype = e.GetProperty("dtype").GetString()!;
            var rule = e.GetProperty("rule").GetString()!;
            if (dtype != "float32")
            {
                list.Add(new ManifestEntry(e.GetProperty("name").GetString()!, shape, dtype, rule, 0, 0, 0, []));
                continue;
            }
            list.Add(new ManifestEntry(
                e.GetProperty("name").GetString()!, shape, dtype, rule,
                e.GetProperty("offset").GetDouble(), e.GetProperty("scale").GetDouble(),
                e.GetProperty("crc32").GetUInt32(),
                e.GetProperty("first").EnumerateArray().Select(h => Convert.ToUInt32(h.GetString(), 16)).ToArray()));
        }
        return list;
    }

    public static ulong Seed(string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixtures.Model(model), "fixture.json")));
        Assert.That(doc.RootElement.GetProperty("formula").GetString(), Is.EqualTo("hv-synth-v2"), model);
        return doc.RootElement.GetProperty("seed").GetUInt64();
    }

    public static string PixelValuesPath(string model)
    {
        var plain = Path.Combine(Fixtures.Model(model), "pixel_values.npy");
        return File.Exists(plain) ? plain : plain + ".gz";
    }
}
