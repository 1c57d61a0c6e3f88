using System.Text.Json;
using System.Text.Json.Nodes;

namespace HipVision.Models.Inspection;

/// <summary>
/// A config as the config.json it writes, so a lesson reads family keys (depth_multiplier, width_coefficient, …)
/// without the family's config type, and builds a variant (α = 1, B0) by changing keys and parsing it back.
/// </summary>
static class ConfigJson
{
    public static JsonObject Read(ModelConfig config)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) config.WriteJson(w);
        return JsonNode.Parse(buffer.ToArray())!.AsObject();
    }

    public static ModelConfig Variant(ModelConfig config, string description, Action<JsonObject> change)
    {
        var json = Read(config);
        change(json);
        return ModelConfig.Parse(json.ToJsonString(), $"{config.ModelType} config ({description})");
    }

    public static double Double(JsonObject json, string key, double fallback) =>
        json[key] is JsonValue v && v.TryGetValue(out double d) ? d : fallback;

    public static int Int(JsonObject json, string key, int fallback) =>
        json[key] is JsonValue v && v.TryGetValue(out int i) ? i : json[key] is JsonValue w && w.TryGetValue(out double d) ? (int)d : fallback;

    public static int[] IntArray(JsonObject json, string key) =>
        json[key] is JsonArray a ? a.Select(e => e is JsonValue v && v.TryGetValue(out int i) ? i : 0).ToArray() : [];
}
