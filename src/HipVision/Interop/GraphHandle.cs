using Microsoft.Win32.SafeHandles;

namespace HipVision.Interop;

/// <summary>An owned <c>hv_graph*</c> (a captured launch sequence); released with <c>hv_graph_destroy</c>.</summary>
internal sealed class GraphHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>For the interop marshaller, which fills in the handle on a successful hv_graph_end.</summary>
    public GraphHandle() : base(ownsHandle: true) { }

    // The graph keeps its context's device alive natively, so it may be released after the context handle.
    protected override bool ReleaseHandle() => NativeMethods.hv_graph_destroy(handle) == NativeStatus.Ok;
}
