namespace HipVision.Imaging;

/// <summary>
/// <c>PIL.ImageOps.exif_transpose</c>: turns an image stored with EXIF orientation 1-8 upright.
/// </summary>
/// <remarks>
/// Orientation → Pillow transpose: 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE,
/// 6 ROTATE_270 (90° clockwise), 7 TRANSVERSE, 8 ROTATE_90 (90° counter-clockwise). Any other value is
/// left alone, as Pillow does. For an input W × H, output pixel (x, y) reads source pixel:
/// 2 (W−1−x, y); 3 (W−1−x, H−1−y); 4 (x, H−1−y); 5 (y, x); 6 (y, H−1−x); 7 (W−1−y, H−1−x); 8 (W−1−y, x),
/// where orientations 5-8 swap width and height.
/// </remarks>
internal static class ExifOrientation
{
    /// <summary>Returns the upright image (the same instance for orientation 1 or an unknown value).</summary>
    public static RgbImage Apply(RgbImage image, int orientation)
    {
        if (orientation is < 2 or > 8) return image;
        int w = image.Width, h = image.Height;
        bool swap = orientation >= 5;
        int outW = swap ? h : w, outH = swap ? w : h;
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < outH; y++)
        {
            for (int x = 0; x < outW; x++)
            {
                var (sx, sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),
                };
                int s = (sy * w + sx) * 3, d = (y * outW + x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(outW, outH, dst);
    }
}
