namespace HipVision.Interop;

/// <summary>The native library's <c>hv_resample</c>: Pillow's filters numbered as PIL.Image.Resampling numbers them.</summary>
public enum NativeResample
{
    /// <summary><c>HV_RESAMPLE_NEAREST</c>.</summary>
    Nearest = 0,
    /// <summary><c>HV_RESAMPLE_LANCZOS</c>.</summary>
    Lanczos = 1,
    /// <summary><c>HV_RESAMPLE_BILINEAR</c>.</summary>
    Bilinear = 2,
    /// <summary><c>HV_RESAMPLE_BICUBIC</c>.</summary>
    Bicubic = 3,
    /// <summary><c>HV_RESAMPLE_BOX</c>.</summary>
    Box = 4,
    /// <summary><c>HV_RESAMPLE_HAMMING</c>.</summary>
    Hamming = 5,
}
