using System.Text.Json;

namespace HipVision.IO;

/// <summary>
/// The bounds every JSON file from outside is read under (config.json, preprocessor_config.json, a shard index):
/// a size checked before the file is read and a nesting depth checked by the parser, so a hostile file is refused
/// with one line instead of costing gigabytes or a deep recursion. Real files are far inside both: the largest hub
/// config.json of a supported family (ImageNet-22k labels) is about 1 MB and nests three levels; an index of a
/// 1000-shard checkpoint is a few MB and nests two.
/// </summary>
internal static class JsonLimits
{
    /// <summary>Largest JSON file read, in bytes.</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>Deepest nesting accepted (objects and arrays).</summary>
    public const int MaxDepth = 32;

    /// <summary>Parses <paramref name="json"/> with <see cref="MaxDepth"/>; a syntax error or too deep a nesting is "source: not valid JSON: ...".</summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> json, string source, JsonDocumentOptions options = default)
    {
        if (json.Length > MaxBytes)
            throw new HipVisionException($"{source}: {json.Length} bytes of JSON, more than the {MaxBytes}-byte limit");
        // Files saved by Windows editors often start with a UTF-8 byte order mark, which JsonDocument rejects.
        if (json.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) json = json[3..];
        // JsonDocument accepts invalid UTF-8 inside strings and fails only when the string is read, with an
        // InvalidOperationException; checking up front keeps that a bad-file error.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
            throw new HipVisionException($"{source}: not valid JSON: the text is not valid UTF-8");
        options.MaxDepth = MaxDepth;
        try
        {
            return JsonDocument.Parse(json, options);
        }
        catch (JsonException e)
        {
            throw new HipVisionException($"{source}: not valid JSON: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> over a parsed document, turning the one failure JSON reading defers to the moment a
    /// string is read, an escaped lone surrogate ("\ud800", valid JSON that no .NET string can hold), into a bad-file error.
    /// </summary>
    public static T Read<T>(string source, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException e)
        {
            throw new HipVisionException($"{source}: not valid JSON: a string cannot be read ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    /// <summary>Parses JSON text under the same limits.</summary>
    public static JsonDocument Parse(string json, string source, JsonDocumentOptions options = default)
    {
        if (json.Length > MaxBytes)
            throw new HipVisionException($"{source}: {json.Length} characters of JSON, more than the {MaxBytes}-byte limit");
        return Parse(System.Text.Encoding.UTF8.GetBytes(json), source, options);
    }

    /// <summary>Reads and parses a JSON file; the size is checked before the file is read.</summary>
    public static JsonDocument Load(string path, string what, JsonDocumentOptions options = default) =>
        Parse(InputFile.ReadAllBytes(path, MaxBytes, what), path, options);

    /// <summary>
    /// A number as a double: <see cref="JsonElement.GetDouble"/> throws FormatException for a literal beyond the
    /// double range (1e400), which must be a "bad value" error like any other.
    /// </summary>
    public static bool TryGetFiniteDouble(JsonElement e, out double value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out value) && double.IsFinite(value);
    }
}
