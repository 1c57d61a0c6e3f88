namespace HipVision.Interop;

/// <summary>The native library's <c>hv_status</c> (native/include/hipvision.h), value for value.</summary>
public enum NativeStatus
{
    /// <summary><c>HV_OK</c>.</summary>
    Ok = 0,
    /// <summary><c>HV_ERROR_INVALID_ARGUMENT</c>: a null, out-of-range or mismatched argument (a caller bug).</summary>
    InvalidArgument = 1,
    /// <summary><c>HV_ERROR_OUT_OF_MEMORY</c>: a device or host allocation failed.</summary>
    OutOfMemory = 2,
    /// <summary><c>HV_ERROR_DEVICE</c>: the GPU runtime or a kernel failed.</summary>
    Device = 3,
    /// <summary><c>HV_ERROR_UNSUPPORTED</c>: a valid request this build or device cannot do (includes "no GPU visible").</summary>
    Unsupported = 4,
    /// <summary><c>HV_ERROR_INTERNAL</c>: a bug in HipVision's native code.</summary>
    Internal = 5,
}
