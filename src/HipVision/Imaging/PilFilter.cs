namespace HipVision.Imaging;

/// <summary>
/// The convolution kernels of Pillow 9.4 (libImaging/Resample.c), written with the same operation order
/// and constants so every weight is bit-identical in double: a weight that differs in its last bit can
/// flip a fixed-point coefficient and with it an output byte.
/// </summary>
internal static class PilFilter
{
    /// <summary>Half-width of the kernel in source pixels at scale 1.</summary>
    public static double Support(PilResample mode) => mode switch
    {
        PilResample.Box => 0.5,
        PilResample.Bilinear => 1.0,
        PilResample.Hamming => 1.0,
        PilResample.Bicubic => 2.0,
        PilResample.Lanczos => 3.0,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), $"{mode} is not a convolution filter"),
    };

    /// <summary>The kernel value at distance <paramref name="x"/> (in kernel units).</summary>
    public static double Evaluate(PilResample mode, double x) => mode switch
    {
        PilResample.Box => Box(x),
        PilResample.Bilinear => Bilinear(x),
        PilResample.Hamming => Hamming(x),
        PilResample.Bicubic => Bicubic(x),
        PilResample.Lanczos => Lanczos(x),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), $"{mode} is not a convolution filter"),
    };

    // Half-open on the left so that, at integer scales, each source pixel lands in exactly one box.
    static double Box(double x) => x > -0.5 && x <= 0.5 ? 1.0 : 0.0;

    static double Bilinear(double x)
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    static double Hamming(double x)
    {
        x = Math.Abs(x);
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= Math.PI;
        // Pillow writes the window constants as C float literals, so they enter the sum rounded to float.
        return Math.Sin(x) / x * (0.54f + 0.46f * Math.Cos(x));
    }

    static double Bicubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    static double Lanczos(double x) => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0;
}
