namespace HipVision.Interop;

/// <summary>The native library's <c>hv_layout</c> (native/include/hipvision.h), value for value.</summary>
public enum NativeLayout
{
    /// <summary><c>HV_LAYOUT_NCHW</c>: [N, C, H, W] (pixel_values as HF feeds them).</summary>
    Nchw = 0,
    /// <summary><c>HV_LAYOUT_NHWC</c>: [N, H, W, C] (channels-last, between convolutions on the device).</summary>
    Nhwc = 1,
}
