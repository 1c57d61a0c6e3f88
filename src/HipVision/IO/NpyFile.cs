using System.IO.Compression;
using System.Text;

namespace HipVision.IO;

/// <summary>
/// Reads NumPy .npy files (format versions 1, 2 and 3; C order; optionally gzip-compressed as .npy.gz)
/// and writes version 1 float32 files. Every error names the file.
/// </summary>
public static class NpyFile
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a whole .npy (or .npy.gz) file.</summary>
    public static NpyArray Read(string path)
    {
        var bytes = InputFile.ReadAllBytes(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            try { gz.CopyTo(plain); }
            catch (InvalidDataException e) { throw new HipVisionException($"{path}: corrupt gzip data: {e.Message}", e); }
            bytes = plain.ToArray();
        }
        return Parse(bytes, path);
    }

    /// <summary>Reads a float32 array and checks its shape; <paramref name="expectedShape"/> entries of -1 match any size.</summary>
    public static float[] ReadFloat32(string path, out int[] shape, int[]? expectedShape = null)
    {
        var array = Read(path);
        shape = array.Shape;
        if (expectedShape != null && !ShapeMatches(array.Shape, expectedShape))
            throw new HipVisionException(
                $"{path}: expected shape [{string.Join(",", expectedShape.Select(d => d < 0 ? "?" : d.ToString()))}], found [{string.Join(",", array.Shape)}]");
        return array.ToFloat32(path);
    }

    static bool ShapeMatches(int[] shape, int[] expected) =>
        shape.Length == expected.Length && shape.Zip(expected).All(p => p.Second < 0 || p.First == p.Second);

    /// <summary>Parses .npy bytes; <paramref name="source"/> names the file in errors.</summary>
    public static NpyArray Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new HipVisionException($"{source}: not a .npy file (missing \\x93NUMPY magic)");
        int major = bytes[6];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BitConverter.ToUInt16(bytes, 8);
                headerStart = 10;
                break;
            case 2:
            case 3:
                if (bytes.Length < 12) throw new HipVisionException($"{source}: truncated .npy header");
                headerLength = checked((int)BitConverter.ToUInt32(bytes, 8));
                headerStart = 12;
                break;
            default:
                throw new HipVisionException($"{source}: unsupported .npy format version {major}");
        }
        if (headerStart + headerLength > bytes.Length)
            throw new HipVisionException($"{source}: .npy header runs past the end of the file");
        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        var header = encoding.GetString(bytes, headerStart, headerLength);
        var dtype = HeaderValue(header, "descr", source).Trim().Trim('\'', '"');
        var fortran = HeaderValue(header, "fortran_order", source).Trim();
        if (fortran != "False")
            throw new HipVisionException($"{source}: Fortran-order arrays are not supported");
        var shape = ParseShape(HeaderValue(header, "shape", source), source);
        int itemSize = dtype.Length >= 3 && int.TryParse(dtype.AsSpan(2), out var size) ? size
            : throw new HipVisionException($"{source}: unsupported dtype '{dtype}'");
        if (dtype[0] == '>')
            throw new HipVisionException($"{source}: big-endian dtype '{dtype}' is not supported");
        long count = shape.Aggregate(1L, (a, b) => a * b);
        int dataStart = headerStart + headerLength;
        if (bytes.Length - dataStart != count * itemSize)
            throw new HipVisionException(
                $"{source}: shape [{string.Join(",", shape)}] × {itemSize} bytes needs {count * itemSize} bytes of data, file has {bytes.Length - dataStart}");
        return new NpyArray(dtype, shape, bytes.AsSpan(dataStart).ToArray());
    }

    static string HeaderValue(string header, string key, string source)
    {
        int k = header.IndexOf($"'{key}'", StringComparison.Ordinal);
        if (k < 0) throw new HipVisionException($"{source}: .npy header lacks '{key}'");
        int colon = header.IndexOf(':', k);
        int start = colon + 1;
        if (key == "shape")
        {
            int open = header.IndexOf('(', start), close = header.IndexOf(')', open + 1);
            if (open < 0 || close < 0) throw new HipVisionException($"{source}: malformed shape in .npy header");
            return header.Substring(open + 1, close - open - 1);
        }
        int end = header.IndexOf(',', start);
        if (end < 0) end = header.IndexOf('}', start);
        return header.Substring(start, end - start);
    }

    static int[] ParseShape(string text, string source)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i].TrimEnd('L'), out shape[i]) || shape[i] < 0)
                throw new HipVisionException($"{source}: bad dimension '{parts[i]}' in .npy shape");
        return shape;
    }

    /// <summary>
    /// Writes a version 1 float32 .npy file atomically (a temporary file beside it, then a rename),
    /// so a failure never leaves a half-written file at <paramref name="path"/>.
    /// </summary>
    public static void WriteFloat32(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(",", shape.ToArray())}] holds {count} elements, data has {data.Length}");
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape.ToArray())})";
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        // A span cannot be captured by the write callback; outputs here are logits and pixel values, so the copy is small.
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(data).ToArray();
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.WriteByte(1);
            stream.WriteByte(0);
            Span<byte> len = stackalloc byte[2];
            BitConverter.TryWriteBytes(len, (ushort)header.Length);
            stream.Write(len);
            stream.Write(Encoding.Latin1.GetBytes(header));
            stream.Write(bytes);
        });
    }
}
