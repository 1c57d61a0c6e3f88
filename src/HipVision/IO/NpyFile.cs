using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace HipVision.IO;

/// <summary>
/// Reads NumPy .npy files (format versions 1, 2 and 3; C order; optionally gzip-compressed as .npy.gz)
/// and writes version 1 float32 files. Every error is one line naming the file.
/// </summary>
/// <remarks>
/// The reader streams: it reads the header (at most <see cref="MaxHeaderLength"/> bytes), checks the shape and dtype
/// (rank at most 64, the byte count computed without overflow and at most <see cref="MaxDataBytes"/>), and only
/// then allocates the data, exactly once. A plain file must hold exactly that many bytes (checked before
/// allocating); a .gz is decompressed into a buffer that grows with the data actually inflated and stops one byte past
/// what the header promised, so a gzip bomb costs at most the declared size.
/// </remarks>
public static class NpyFile
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest header read (numpy itself refuses headers above 10 000 bytes unless told otherwise).</summary>
    public const int MaxHeaderLength = 1 << 20;

    /// <summary>Largest array read, in bytes (one .NET array).</summary>
    public static long MaxDataBytes => Array.MaxLength;

    /// <summary>Most dimensions (numpy's NPY_MAXDIMS).</summary>
    public const int MaxRank = 64;

    /// <summary>Reads a whole .npy (or .npy.gz) file.</summary>
    public static NpyArray Read(string path)
    {
        using var file = InputFile.OpenRead(path);
        try
        {
            if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                return Parse(file, path);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            return Parse(gz, path);
        }
        catch (InvalidDataException e)
        {
            throw new HipVisionException($"{path}: corrupt gzip data: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        catch (IOException e)
        {
            throw new HipVisionException($"{path}: cannot read: {e.Message.ReplaceLineEndings(" ")}", e);
        }
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
        ArgumentNullException.ThrowIfNull(bytes);
        return Parse(new MemoryStream(bytes, writable: false), source);
    }

    static NpyArray Parse(Stream stream, string source)
    {
        Span<byte> preamble = stackalloc byte[12];
        int got = stream.ReadAtLeast(preamble[..10], 10, throwOnEndOfStream: false);
        if (got < 10 || !preamble[..6].SequenceEqual(Magic))
            throw new HipVisionException($"{source}: not a .npy file (missing \\x93NUMPY magic)");
        int major = preamble[6];
        long headerLength;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]);
                break;
            case 2:
            case 3:
                if (stream.ReadAtLeast(preamble[10..12], 2, throwOnEndOfStream: false) < 2)
                    throw new HipVisionException($"{source}: truncated .npy header");
                headerLength = BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
                break;
            default:
                throw new HipVisionException($"{source}: unsupported .npy format version {major}");
        }
        if (headerLength > MaxHeaderLength)
            throw new HipVisionException($"{source}: .npy header of {headerLength} bytes is longer than the {MaxHeaderLength}-byte limit");
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) < headerBytes.Length)
            throw new HipVisionException($"{source}: .npy header runs past the end of the file");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (dtype, shape) = NpyHeader.Parse(header, source);
        int itemSize = NpyHeader.ItemSize(dtype, source);
        double needed = itemSize;
        foreach (var d in shape) needed *= d;
        if (needed > MaxDataBytes)
            throw new HipVisionException(
                $"{source}: shape [{string.Join(",", shape)}] × {itemSize} bytes needs {needed:0} bytes of data, more than the {MaxDataBytes}-byte limit");
        var data = ReadData(stream, (long)needed, shape, itemSize, source);
        return new NpyArray(dtype, shape, data);
    }

    static byte[] ReadData(Stream stream, long needed, int[] shape, int itemSize, string source)
    {
        HipVisionException Mismatch(long have, bool atLeast) => new(
            $"{source}: shape [{string.Join(",", shape)}] × {itemSize} bytes needs {needed} bytes of data, file has {(atLeast ? "more than " : "")}{have}");
        if (stream.CanSeek)
        {
            long left = stream.Length - stream.Position;
            if (left != needed) throw Mismatch(left, false);
            var exact = new byte[needed];
            stream.ReadExactly(exact);
            return exact;
        }
        // Decompressing: the buffer grows with what actually arrives, never to more than needed + 1 bytes.
        var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        while (buffer.Length <= needed)
        {
            int n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, needed + 1 - buffer.Length));
            if (n == 0) break;
            buffer.Write(chunk, 0, n);
        }
        if (buffer.Length > needed) throw Mismatch(needed, true);
        if (buffer.Length < needed) throw Mismatch(buffer.Length, false);
        return buffer.ToArray();
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
