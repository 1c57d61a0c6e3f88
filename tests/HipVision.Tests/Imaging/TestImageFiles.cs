using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace HipVision.Tests.Imaging;

/// <summary>
/// Hand-built image files for loader tests: PNGs of any colour type (Skia's encoder cannot write palettes or
/// gray+alpha), a 24-bit BMP, and an EXIF orientation segment to splice into a JPEG.
/// </summary>
static class TestImageFiles
{
    /// <summary>
    /// An 8-bit PNG. <paramref name="colorType"/>: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA;
    /// <paramref name="samples"/> holds the raw samples row by row (one byte per sample / palette index).
    /// </summary>
    public static byte[] Png(int width, int height, int colorType, byte[] samples, byte[]? palette = null, byte[]? transparency = null,
        int? exifOrientation = null)
    {
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new ArgumentException("colour type") };
        var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter type None
            raw.Write(samples, y * width * channels, width * channels);
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            raw.WriteTo(z);

        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = (byte)colorType;
        Chunk(png, "IHDR", ihdr);
        if (palette != null) Chunk(png, "PLTE", palette);
        if (transparency != null) Chunk(png, "tRNS", transparency);
        if (exifOrientation is int o) Chunk(png, "eXIf", ExifTiff(o));
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A 24-bit uncompressed bottom-up BMP from RGB pixels (HWC).</summary>
    public static byte[] Bmp(int width, int height, byte[] rgb)
    {
        int stride = (width * 3 + 3) & ~3;
        var bmp = new byte[54 + stride * height];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), stride * height);
        for (int y = 0; y < height; y++)
        {
            int row = 54 + (height - 1 - y) * stride;
            for (int x = 0; x < width; x++)
            {
                int s = (y * width + x) * 3;
                bmp[row + x * 3] = rgb[s + 2]; // BMP stores B, G, R
                bmp[row + x * 3 + 1] = rgb[s + 1];
                bmp[row + x * 3 + 2] = rgb[s];
            }
        }
        return bmp;
    }

    /// <summary>
    /// Inserts an APP1 EXIF segment (big-endian TIFF, one IFD entry: Orientation = <paramref name="orientation"/>)
    /// right after the JPEG's SOI marker.
    /// </summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        var payload = Encoding.ASCII.GetBytes("Exif\0\0").Concat(ExifTiff(orientation)).ToArray();
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }

    /// <summary>A big-endian TIFF block holding one IFD entry, Orientation = <paramref name="orientation"/>.</summary>
    static byte[] ExifTiff(int orientation) =>
        new byte[]
        {
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // header, IFD0 at offset 8
            0x00, 0x01,                                             // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,         // tag 0x0112 Orientation, SHORT, count 1
            0x00, (byte)orientation, 0x00, 0x00,                    // value, padded to 4 bytes
            0x00, 0x00, 0x00, 0x00,                                 // no next IFD
        };

    static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
