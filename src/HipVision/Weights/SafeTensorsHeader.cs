using System.Text;
using System.Text.Json;

namespace HipVision.Weights;

/// <summary>
/// Parses and validates the JSON header of a safetensors file. Everything a reader could trip over later
/// is checked here, once, so that <see cref="SafeTensorsFile"/> can hand out spans without further checks.
/// Parsed with <see cref="JsonDocument"/> by hand: the library is Native-AOT compiled.
/// </summary>
internal static class SafeTensorsHeader
{
    /// <summary>The safetensors library refuses headers above 100 MB; so do we, before allocating anything.</summary>
    public const long MaxHeaderLength = 100_000_000;

    public const string MetadataKey = "__metadata__";

    /// <summary>Most dimensions a tensor may have (numpy's NPY_MAXDIMS; no checkpoint comes near).</summary>
    public const int MaxRank = 64;

    public static (List<SafeTensorInfo> Tensors, Dictionary<string, string> Metadata) Parse(
        ReadOnlySpan<byte> header, long dataSize, string file)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(header);
        }
        catch (DecoderFallbackException)
        {
            throw new HipVisionException($"{file}: header is not valid UTF-8");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new HipVisionException($"{file}: header is not valid JSON: {OneLine(e.Message)}");
        }
        using (doc)
            return IO.JsonLimits.Read(file, () => Read(doc, dataSize, file));
    }

    static (List<SafeTensorInfo> Tensors, Dictionary<string, string> Metadata) Read(JsonDocument doc, long dataSize, string file)
    {
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new HipVisionException($"{file}: header is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, expected an object");
        var tensors = new List<SafeTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in root.EnumerateObject())
        {
            // JsonDocument keeps duplicate keys; a second entry under one name would be silently ambiguous.
            if (!seen.Add(entry.Name))
                throw new HipVisionException($"{file}: header names '{PickleReader.Printable(entry.Name)}' twice");
            if (entry.Name == MetadataKey)
                ReadMetadata(entry.Value, metadata, file);
            else
                tensors.Add(ReadTensor(entry.Name, entry.Value, dataSize, file));
        }
        CheckOverlaps(tensors, file);
        return (tensors, metadata);
    }

    static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string file)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new HipVisionException($"{file}: {MetadataKey} is not a JSON object");
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw new HipVisionException($"{file}: {MetadataKey} entry '{p.Name}' is not a string");
            metadata[p.Name] = p.Value.GetString()!;
        }
    }

    static SafeTensorInfo ReadTensor(string name, JsonElement value, long dataSize, string file)
    {
        string where = $"{file}: tensor '{PickleReader.Printable(name)}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new HipVisionException($"{where}: entry is not a JSON object");
        if (!value.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String)
            throw new HipVisionException($"{where}: missing string field 'dtype'");
        var dtypeText = dtypeJson.GetString()!;
        if (!SafeTensorDtypes.TryParse(dtypeText, out var dtype))
            throw new HipVisionException(
                $"{where}: unsupported dtype '{dtypeText}' (expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");

        if (!value.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array)
            throw new HipVisionException($"{where}: missing array field 'shape'");
        if (shapeJson.GetArrayLength() > MaxRank)
            throw new HipVisionException($"{where}: shape has {shapeJson.GetArrayLength()} dimensions, more than {MaxRank}");
        var shape = new int[shapeJson.GetArrayLength()];
        int i = 0;
        foreach (var d in shapeJson.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out shape[i]) || shape[i] < 0)
                throw new HipVisionException($"{where}: shape {shapeJson.GetRawText()} has a dimension that is not a non-negative 32-bit integer");
            i++;
        }

        if (!value.TryGetProperty("data_offsets", out var offsetsJson) || offsetsJson.ValueKind != JsonValueKind.Array
            || offsetsJson.GetArrayLength() != 2)
            throw new HipVisionException($"{where}: missing field 'data_offsets' [begin, end]");
        var begin = Offset(offsetsJson[0], offsetsJson, where);
        var end = Offset(offsetsJson[1], offsetsJson, where);
        if (begin > end)
            throw new HipVisionException($"{where}: data_offsets [{begin}, {end}]: begin is after end");
        if (end > dataSize)
            throw new HipVisionException($"{where}: data_offsets [{begin}, {end}] run past the end of the data ({dataSize} bytes)");

        // In double: a hostile shape cannot overflow it, and any real file is far below 2^53 bytes.
        double needed = dtype.Size();
        foreach (var d in shape) needed *= d;
        if (needed != end - begin)
            throw new HipVisionException(
                $"{where}: shape {WeightShapes.Format(shape)} of {dtype.HeaderName()} needs {needed:0} bytes, data_offsets [{begin}, {end}] hold {end - begin}");
        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    static long Offset(JsonElement e, JsonElement all, string where)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var v) || v < 0)
            throw new HipVisionException($"{where}: data_offsets {all.GetRawText()} are not non-negative integers");
        return v;
    }

    static void CheckOverlaps(List<SafeTensorInfo> tensors, string file)
    {
        // Empty tensors occupy no bytes, so they cannot overlap anything wherever they point.
        var sorted = tensors.Where(t => t.DataEnd > t.DataBegin).OrderBy(t => t.DataBegin).ToList();
        for (int k = 1; k < sorted.Count; k++)
        {
            SafeTensorInfo prev = sorted[k - 1], cur = sorted[k];
            if (cur.DataBegin < prev.DataEnd)
                throw new HipVisionException(
                    $"{file}: tensor '{PickleReader.Printable(cur.Name)}': data_offsets [{cur.DataBegin}, {cur.DataEnd}] overlap tensor '{PickleReader.Printable(prev.Name)}' [{prev.DataBegin}, {prev.DataEnd}]");
        }
    }

    static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
