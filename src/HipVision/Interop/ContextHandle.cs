using Microsoft.Win32.SafeHandles;

namespace HipVision.Interop;

/// <summary>An owned <c>hv_context*</c>; released with <c>hv_context_destroy</c>.</summary>
internal sealed class ContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>For the interop marshaller, which fills in the handle on a successful create.</summary>
    public ContextHandle() : base(ownsHandle: true) { }

    // Buffers keep their context's device alive natively, so release order between handles does not matter.
    protected override bool ReleaseHandle() => NativeMethods.hv_context_destroy(handle) == NativeStatus.Ok;
}
