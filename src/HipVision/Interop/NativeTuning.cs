namespace HipVision.Interop;

/// <summary>The native library's <c>hv_tuning</c> (native/include/hipvision.h), value for value: what hv_conv2d_prepare did.</summary>
public enum NativeTuning
{
    /// <summary><c>HV_TUNING_NONE</c>: nothing to tune (no vendor convolution in the build; the direct kernel runs).</summary>
    None = 0,
    /// <summary><c>HV_TUNING_COLD</c>: the vendor's find step ran now (a cold start).</summary>
    Cold = 1,
    /// <summary><c>HV_TUNING_WARM</c>: the choice came from the tuning cache (a warm start).</summary>
    Warm = 2,
}
