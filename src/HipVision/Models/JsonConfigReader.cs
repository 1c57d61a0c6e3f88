using System.Text.Json;
using HipVision.IO;

namespace HipVision.Models;

/// <summary>
/// Typed reads of a config.json object with HF's defaults for missing keys and one-line errors naming the
/// file and key for values of the wrong type. Hand-written (no reflection) so it works under Native AOT.
/// </summary>
public readonly struct JsonConfigReader(JsonElement root, string source)
{
    /// <summary>The file name used in errors.</summary>
    public string Source { get; } = source;

    /// <summary>An integer value, or <paramref name="fallback"/> when the key is absent or null.</summary>
    public int Int(string key, int fallback) =>
        TryGet(key, out var v) ? (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : throw Bad(key, "an integer")) : fallback;

    /// <summary>A number, or <paramref name="fallback"/>.</summary>
    public double Double(string key, double fallback) =>
        TryGet(key, out var v) ? (JsonLimits.TryGetFiniteDouble(v, out var d) ? d : throw Bad(key, "a finite number")) : fallback;

    /// <summary>A boolean, or <paramref name="fallback"/>.</summary>
    public bool Bool(string key, bool fallback) =>
        TryGet(key, out var v) ? (v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Bad(key, "true or false")) : fallback;

    /// <summary>A string, or <paramref name="fallback"/>.</summary>
    public string String(string key, string fallback) =>
        TryGet(key, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(key, "a string")) : fallback;

    /// <summary>An array of integers, or <paramref name="fallback"/>.</summary>
    public int[] IntArray(string key, int[] fallback)
    {
        if (!TryGet(key, out var v)) return fallback;
        if (v.ValueKind != JsonValueKind.Array) throw Bad(key, "an array of integers");
        var src = Source;
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int i) ? i
            : throw new HipVisionException($"{src}: '{key}' must be an array of integers")).ToArray();
    }

    /// <summary>A string→string object (id2label), empty when absent.</summary>
    public IReadOnlyList<(string Key, string Value)> StringMap(string key)
    {
        if (!TryGet(key, out var v)) return [];
        if (v.ValueKind != JsonValueKind.Object) throw Bad(key, "an object");
        var src = Source;
        return v.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()!
            : throw new HipVisionException($"{src}: '{key}.{p.Name}' must be a string"))).ToArray();
    }

    bool TryGet(string key, out JsonElement value)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new HipVisionException($"{Source}: the top level is not a JSON object");
        return root.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;
    }

    HipVisionException Bad(string key, string what) => new($"{Source}: '{key}' must be {what}");
}
