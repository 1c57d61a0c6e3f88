using System.Runtime.InteropServices;
using System.Text;
using HipVision.IO;

namespace HipVision.Weights;

/// <summary>
/// Collects tensors and writes them as one safetensors file laid out the way the safetensors library
/// lays it out: tensors sorted by dtype alignment (descending) then by name (UTF-8 bytes), data packed
/// in that order, <c>__metadata__</c> first, the header padded with spaces to a multiple of 8 bytes so
/// every tensor starts aligned. The file appears atomically: written beside the target, then renamed.
/// </summary>
public sealed class SafeTensorsWriter
{
    readonly Dictionary<string, (SafeTensorDtype Dtype, int[] Shape, long Length, Action<Stream> WriteData)> _tensors = new(StringComparer.Ordinal);

    /// <summary>The header's <c>__metadata__</c>; {"format": "pt"} by default, as transformers writes it.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal) { ["format"] = "pt" };

    /// <summary>Adds a float32 tensor.</summary>
    public SafeTensorsWriter Add(string name, ReadOnlySpan<float> data, int[] shape) =>
        Add(name, SafeTensorDtype.F32, shape, MemoryMarshal.AsBytes(data));

    /// <summary>Adds a tensor of any dtype from its little-endian bytes (copied now).</summary>
    /// <exception cref="ArgumentException">Duplicate name, negative dimension, or a byte count that does not match shape and dtype.</exception>
    public SafeTensorsWriter Add(string name, SafeTensorDtype dtype, int[] shape, ReadOnlySpan<byte> data)
    {
        var copy = data.ToArray();
        return Add(name, dtype, shape, copy.Length, stream => stream.Write(copy));
    }

    /// <summary>
    /// Adds a tensor whose bytes <paramref name="writeData"/> writes when the file is written, so a large model
    /// need not be held twice (and a failure there, like any other, leaves nothing behind). It must write exactly
    /// <paramref name="byteLength"/> bytes.
    /// </summary>
    /// <exception cref="ArgumentException">Duplicate name, negative dimension, or a byte count that does not match shape and dtype.</exception>
    public SafeTensorsWriter Add(string name, SafeTensorDtype dtype, int[] shape, long byteLength, Action<Stream> writeData)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(writeData);
        ArgumentNullException.ThrowIfNull(shape);
        if (name == SafeTensorsHeader.MetadataKey)
            throw new ArgumentException($"'{name}' is reserved for the header metadata", nameof(name));
        if (_tensors.ContainsKey(name))
            throw new ArgumentException($"tensor '{name}' added twice", nameof(name));
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"tensor '{name}': negative dimension in {WeightShapes.Format(shape)}", nameof(shape));
            count = checked(count * d);
        }
        if (count * dtype.Size() != byteLength)
            throw new ArgumentException(
                $"tensor '{name}': shape {WeightShapes.Format(shape)} of {dtype.HeaderName()} needs {count * dtype.Size()} bytes, got {byteLength}", nameof(byteLength));
        _tensors[name] = (dtype, (int[])shape.Clone(), byteLength, writeData);
        return this;
    }

    /// <summary>Writes the file atomically; on failure nothing is left at <paramref name="path"/> or beside it.</summary>
    /// <exception cref="HipVisionException">The file cannot be written.</exception>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var order = _tensors
            .OrderByDescending(t => t.Value.Dtype)
            .ThenBy(t => Encoding.UTF8.GetBytes(t.Key), Utf8Order.Instance)
            .ToList();
        var header = BuildHeader(order);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (name, t) in order)
            {
                long start = stream.Position;
                t.WriteData(stream);
                if (stream.Position - start != t.Length)
                    throw new InvalidOperationException($"tensor '{name}': wrote {stream.Position - start} bytes, the header says {t.Length}");
            }
        });
    }

    byte[] BuildHeader(List<KeyValuePair<string, (SafeTensorDtype Dtype, int[] Shape, long Length, Action<Stream> WriteData)>> order)
    {
        // Written by hand rather than with a serializer: Native AOT, and serde_json's compact form
        // (no spaces, non-ASCII kept as UTF-8) is what the reference writer produces.
        var sb = new StringBuilder("{");
        bool first = true;
        if (Metadata.Count > 0)
        {
            sb.Append('"').Append(SafeTensorsHeader.MetadataKey).Append("\":{");
            bool firstMeta = true;
            foreach (var (key, value) in Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                if (!firstMeta) sb.Append(',');
                firstMeta = false;
                AppendString(sb, key).Append(':');
                AppendString(sb, value);
            }
            sb.Append('}');
            first = false;
        }
        long offset = 0;
        foreach (var (name, (dtype, shape, length, _)) in order)
        {
            if (!first) sb.Append(',');
            first = false;
            AppendString(sb, name)
                .Append(":{\"dtype\":\"").Append(dtype.HeaderName())
                .Append("\",\"shape\":[").Append(string.Join(",", shape))
                .Append("],\"data_offsets\":[").Append(offset).Append(',').Append(offset + length).Append("]}");
            offset += length;
        }
        sb.Append('}');
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        int padded = (bytes.Length + 7) / 8 * 8;
        var result = new byte[padded];
        bytes.CopyTo(result, 0);
        result.AsSpan(bytes.Length).Fill((byte)' ');
        return result;
    }

    static StringBuilder AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"');
    }

    /// <summary>Byte-wise comparison of UTF-8 names, the order Rust's String::cmp gives.</summary>
    sealed class Utf8Order : IComparer<byte[]>
    {
        public static readonly Utf8Order Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
