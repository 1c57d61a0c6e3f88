namespace HipVision.Imaging;

/// <summary>
/// <c>PIL.Image.resize((width, height), resample)</c> of Pillow 9.4 on an RGB image, reproduced bit for bit
/// (whole-image box, <c>reducing_gap=None</c>, as Hugging Face's <c>image_transforms.resize</c> calls it).
/// </summary>
/// <remarks>
/// Paths, as Pillow takes them:
/// <list type="bullet">
/// <item>same size: a copy;</item>
/// <item>NEAREST: the affine "scale" transform, sampling the source at pixel centres with a running double
///   accumulator (<see cref="PilNearest"/>);</item>
/// <item>every other filter: separable convolution in 8-bit fixed point (<see cref="ResampleCoefficients"/>),
///   horizontal pass first, then vertical, each pass skipped when its dimension does not change, the
///   intermediate rounded and clipped to uint8. The horizontal pass only computes the rows the vertical
///   pass reads, which changes nothing in the result.</item>
/// </list>
/// </remarks>
public static class PilResize
{
    /// <summary>Resizes <paramref name="image"/> to <paramref name="width"/> × <paramref name="height"/> exactly as Pillow 9.4 does.</summary>
    public static RgbImage Resize(RgbImage image, int width, int height, PilResample mode)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"resize target {width}x{height} must be at least 1x1");
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), $"unknown PIL resampling filter {(int)mode}");
        if (width == image.Width && height == image.Height)
            return new RgbImage(width, height, (byte[])image.Pixels.Clone());
        if (mode == PilResample.Nearest)
            return PilNearest.Scale(image, width, height);
        return Convolve(image, width, height, mode);
    }

    static RgbImage Convolve(RgbImage image, int width, int height, PilResample mode)
    {
        var horizontal = ResampleCoefficients.Compute(image.Width, 0f, image.Width, width, mode);
        var vertical = ResampleCoefficients.Compute(image.Height, 0f, image.Height, height, mode);
        bool needHorizontal = width != image.Width;
        bool needVertical = height != image.Height;

        byte[] pixels = image.Pixels;
        int rows = image.Height, rowShift = 0;
        if (needHorizontal)
        {
            int firstRow = 0, endRow = image.Height;
            if (needVertical)
            {
                firstRow = vertical.First[0];
                endRow = vertical.First[height - 1] + vertical.Count[height - 1];
            }
            pixels = HorizontalPass(image.Pixels, image.Width, firstRow, endRow - firstRow, horizontal);
            rows = endRow - firstRow;
            rowShift = firstRow;
        }
        if (needVertical)
            pixels = VerticalPass(pixels, width, rowShift, vertical);
        System.Diagnostics.Debug.Assert(needVertical || rows == height);
        return new RgbImage(width, height, pixels);
    }

    static byte[] HorizontalPass(byte[] src, int srcWidth, int firstRow, int rows, ResampleCoefficients c)
    {
        int outWidth = c.OutSize;
        var dst = new byte[rows * outWidth * 3];
        const int half = 1 << (ResampleCoefficients.PrecisionBits - 1);
        for (int y = 0; y < rows; y++)
        {
            int inRow = (y + firstRow) * srcWidth * 3, outRow = y * outWidth * 3;
            for (int x = 0; x < outWidth; x++)
            {
                int r = half, g = half, b = half;
                int k = x * c.Stride, s = inRow + c.First[x] * 3;
                for (int j = 0; j < c.Count[x]; j++, s += 3)
                {
                    int w = c.Weights[k + j];
                    r += src[s] * w;
                    g += src[s + 1] * w;
                    b += src[s + 2] * w;
                }
                int o = outRow + x * 3;
                dst[o] = Clip8(r);
                dst[o + 1] = Clip8(g);
                dst[o + 2] = Clip8(b);
            }
        }
        return dst;
    }

    static byte[] VerticalPass(byte[] src, int width, int rowShift, ResampleCoefficients c)
    {
        int rowBytes = width * 3;
        var dst = new byte[c.OutSize * rowBytes];
        const int half = 1 << (ResampleCoefficients.PrecisionBits - 1);
        for (int y = 0; y < c.OutSize; y++)
        {
            int k = y * c.Stride, first = c.First[y] - rowShift, n = c.Count[y];
            for (int i = 0; i < rowBytes; i++)
            {
                int acc = half;
                for (int j = 0, s = first * rowBytes + i; j < n; j++, s += rowBytes)
                    acc += src[s] * c.Weights[k + j];
                dst[y * rowBytes + i] = Clip8(acc);
            }
        }
        return dst;
    }

    // Pillow drops the fraction with an arithmetic shift (floor), then clamps through a lookup table.
    static byte Clip8(int acc)
    {
        int v = acc >> ResampleCoefficients.PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}
