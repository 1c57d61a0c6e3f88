using Microsoft.Win32.SafeHandles;

namespace HipVision.Interop;

/// <summary>An owned <c>hv_buffer*</c>; released with <c>hv_buffer_free</c>.</summary>
internal sealed class BufferHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>For the interop marshaller, which fills in the handle on a successful alloc.</summary>
    public BufferHandle() : base(ownsHandle: true) { }

    /// <summary>A fresh invalid handle that marshals as NULL, for optional buffer arguments; owns nothing.</summary>
    public static BufferHandle Null => new();

    protected override bool ReleaseHandle() => NativeMethods.hv_buffer_free(handle) == NativeStatus.Ok;
}
