namespace HipVision.Imaging;

/// <summary>
/// Pillow 9.4's NEAREST resize: <c>_resize</c> builds the affine map x_src = x · (inW / outW) and hands it to
/// <c>ImagingScaleAffine</c>, which samples each output pixel centre.
/// </summary>
/// <remarks>
/// Source column for output x: start at a·0.5 with a = (double)inW / outW, add a once per column in double
/// (a running sum, not x·a: the accumulated rounding is what Pillow does and can pick a different pixel),
/// and truncate. Rows likewise. A sample that lands outside the source leaves the output pixel 0.
/// </remarks>
internal static class PilNearest
{
    /// <summary>Resizes with nearest-neighbour sampling at pixel centres.</summary>
    public static RgbImage Scale(RgbImage image, int width, int height)
    {
        int inWidth = image.Width, inHeight = image.Height;
        double ax = (double)(float)inWidth / width;
        double ay = (double)(float)inHeight / height;

        var columnOf = new int[width];
        int firstColumn = width, endColumn = 0;
        double xo = ax * 0.5;
        for (int x = 0; x < width; x++, xo += ax)
        {
            int xin = Coord(xo);
            if (xin >= 0 && xin < inWidth)
            {
                endColumn = x + 1;
                if (x < firstColumn) firstColumn = x;
                columnOf[x] = xin;
            }
        }

        var src = image.Pixels;
        var dst = new byte[width * height * 3];
        double yo = ay * 0.5;
        for (int y = 0; y < height; y++, yo += ay)
        {
            int yin = Coord(yo);
            if (yin < 0 || yin >= inHeight) continue;
            int inRow = yin * inWidth * 3, outRow = y * width * 3;
            for (int x = firstColumn; x < endColumn; x++)
            {
                int s = inRow + columnOf[x] * 3, d = outRow + x * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(width, height, dst);
    }

    // Negative coordinates map to -1 (outside) rather than truncating towards 0.
    static int Coord(double v) => v < 0.0 ? -1 : (int)v;
}
