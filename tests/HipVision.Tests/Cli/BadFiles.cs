using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace HipVision.Tests.Cli;

/// <summary>Makes the damaged inputs of the bad-input tests: copies of a model folder edited on purpose, and .npy files written by hand.</summary>
static class BadFiles
{
    /// <summary>Copies the three files a model directory needs (config.json, preprocessor_config.json, model.safetensors) into a new folder.</summary>
    public static string CopyModel(string fromDir, string toDir)
    {
        Directory.CreateDirectory(toDir);
        foreach (var name in new[] { "config.json", "preprocessor_config.json", "model.safetensors" })
            File.Copy(Path.Combine(fromDir, name), Path.Combine(toDir, name));
        return toDir;
    }

    /// <summary>Edits a JSON file (config.json) in place.</summary>
    public static void EditJson(string path, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(root);
        File.WriteAllText(path, root.ToJsonString());
    }

    /// <summary>
    /// Rewrites the JSON header of a safetensors file after <paramref name="edit"/> changed it, with the length
    /// field updated and the data bytes kept as they were (offsets are relative to the data, so they stay valid).
    /// </summary>
    public static void EditSafeTensorsHeader(string path, Action<JsonObject> edit)
    {
        var bytes = File.ReadAllBytes(path);
        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        var header = JsonNode.Parse(bytes.AsSpan(8, headerLength))!.AsObject();
        edit(header);
        var newHeader = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)newHeader.Length);
        file.Write(length);
        file.Write(newHeader);
        file.Write(bytes.AsSpan(8 + headerLength));
    }

    /// <summary>Overwrites the 8-byte header length field of a safetensors file.</summary>
    public static void SetSafeTensorsHeaderLength(string path, ulong length)
    {
        using var file = File.OpenWrite(path);
        Span<byte> field = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(field, length);
        file.Write(field);
    }

    /// <summary>Keeps only the first <paramref name="bytes"/> bytes of a file.</summary>
    public static void Truncate(string path, long bytes)
    {
        using var file = File.OpenWrite(path);
        file.SetLength(bytes);
    }

    /// <summary>(begin, end) of a tensor's data_offsets in a safetensors header.</summary>
    public static (long Begin, long End) Offsets(JsonObject header, string tensor)
    {
        var offsets = header[tensor]!["data_offsets"]!.AsArray();
        return (offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
    }

    /// <summary>
    /// Writes a .npy file by hand in format <paramref name="version"/> (1: 16-bit header length; 2, 3: 32-bit),
    /// with any dtype descriptor, so tests can feed the CLI arrays NpyFile would never write.
    /// </summary>
    public static void WriteNpy(string path, string descr, int[] shape, ReadOnlySpan<byte> data, int version = 1)
    {
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int prefix = version == 1 ? 10 : 12;
        int padded = (prefix + dict.Length + 1 + 63) / 64 * 64;
        var header = Encoding.Latin1.GetBytes(dict + new string(' ', padded - prefix - dict.Length - 1) + "\n");
        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        Span<byte> length = stackalloc byte[4];
        if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        file.Write(length[..(prefix - 8)]);
        file.Write(header);
        file.Write(data);
    }
}
