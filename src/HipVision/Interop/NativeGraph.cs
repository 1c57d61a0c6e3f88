namespace HipVision.Interop;

/// <summary>
/// A launch sequence captured on a <see cref="NativeDevice"/> (<see cref="NativeDevice.Capture"/>): hipGraph on AMD, CUDA graph
/// on NVIDIA, a recorded list on the emulator. <see cref="Launch"/> replays it on the device's stream with one call; it reads
/// and writes the buffers the captured ops named, with their contents at replay time.
/// </summary>
internal sealed class NativeGraph : IDisposable
{
    readonly GraphHandle _handle;

    internal NativeGraph(GraphHandle handle)
    {
        _handle = handle;
        Native.Check(NativeMethods.hv_graph_launch_count(handle, out long launches));
        LaunchCount = launches;
    }

    /// <summary>Kernel launches the graph holds (what one replay issues).</summary>
    public long LaunchCount { get; }

    /// <summary>Queues one replay (asynchronous, like any op).</summary>
    public void Launch()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        Native.Check(NativeMethods.hv_graph_launch(_handle));
    }

    public void Dispose() => _handle.Dispose();
}
