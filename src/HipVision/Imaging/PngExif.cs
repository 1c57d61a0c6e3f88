using System.Buffers.Binary;

namespace HipVision.Imaging;

/// <summary>
/// Reads the EXIF orientation from a PNG's <c>eXIf</c> chunk. Pillow 9.4 honours that chunk in
/// <c>exif_transpose</c>, but Skia's PNG codec does not report it, so the loader looks for it itself.
/// </summary>
/// <remarks>
/// PNG: 8-byte signature, then chunks of [length:4 BE][type:4][data][crc:4]. The eXIf data is a bare TIFF
/// block: "II" or "MM", 42, offset of IFD0; IFD0 is a 2-byte count then 12-byte entries
/// [tag:2][type:2][count:4][value:4]; Orientation is tag 0x0112, a SHORT stored in the first two value bytes.
/// Anything malformed means "no orientation", never an error: Pillow also ignores unreadable EXIF here.
/// </remarks>
internal static class PngExif
{
    /// <summary>The orientation (1-8) of the first eXIf chunk, or null when there is none or it is unreadable.</summary>
    public static int? Orientation(ReadOnlySpan<byte> png)
    {
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(pos));
            if (length > (uint)(png.Length - pos - 12)) return null;
            var type = png.Slice(pos + 4, 4);
            if (type.SequenceEqual("eXIf"u8))
                return TiffOrientation(png.Slice(pos + 8, (int)length));
            if (type.SequenceEqual("IEND"u8)) return null;
            pos += 12 + (int)length;
        }
        return null;
    }

    static int? TiffOrientation(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return null;
        bool little = tiff[0] == 'I' && tiff[1] == 'I';
        if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return null;
        if (U16(tiff, 2, little) != 42) return null;
        long ifd = U32(tiff, 4, little);
        if (ifd < 8 || ifd + 2 > tiff.Length) return null;
        int count = U16(tiff, (int)ifd, little);
        for (int i = 0; i < count; i++)
        {
            long entry = ifd + 2 + 12L * i;
            if (entry + 12 > tiff.Length) return null;
            int e = (int)entry;
            if (U16(tiff, e, little) != 0x0112) continue;
            int fieldType = U16(tiff, e + 2, little);
            long value = fieldType switch
            {
                3 => U16(tiff, e + 8, little),
                4 => U32(tiff, e + 8, little),
                _ => 0,
            };
            return value is >= 1 and <= 8 ? (int)value : null;
        }
        return null;
    }

    static int U16(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(at)) : BinaryPrimitives.ReadUInt16BigEndian(b.Slice(at));

    static long U32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(at)) : BinaryPrimitives.ReadUInt32BigEndian(b.Slice(at));
}
