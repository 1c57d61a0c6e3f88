namespace HipVision.Imaging;

/// <summary>
/// Pillow's resampling filters, numbered as <c>PIL.Image.Resampling</c> numbers them (the integers stored in
/// <c>preprocessor_config.json</c> under <c>resample</c>); the native library's <c>hv_resample</c> uses the same numbers.
/// </summary>
public enum PilResample
{
    /// <summary>Nearest neighbour, sampled at the pixel centre (Pillow's affine scale path).</summary>
    Nearest = 0,

    /// <summary>Lanczos, a = 3 (truncated sinc window).</summary>
    Lanczos = 1,

    /// <summary>Bilinear (triangle filter, support 1), antialiased when reducing.</summary>
    Bilinear = 2,

    /// <summary>Bicubic (Keys cubic, a = -0.5, support 2), antialiased when reducing.</summary>
    Bicubic = 3,

    /// <summary>Box (support 0.5): area averaging when reducing.</summary>
    Box = 4,

    /// <summary>Hamming-windowed sinc, support 1.</summary>
    Hamming = 5,
}
