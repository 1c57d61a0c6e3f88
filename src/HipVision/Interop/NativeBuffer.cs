namespace HipVision.Interop;

/// <summary>Device memory of a <see cref="NativeDevice"/>, holding <see cref="Length"/> float32 values.</summary>
internal sealed class NativeBuffer : IDisposable
{
    readonly BufferHandle _handle;

    internal NativeBuffer(NativeDevice device, BufferHandle handle, long length)
    {
        Device = device;
        _handle = handle;
        Length = length;
    }

    /// <summary>The device this buffer was allocated on.</summary>
    public NativeDevice Device { get; }

    /// <summary>Capacity in float32 values.</summary>
    public long Length { get; }

    internal bool IsDisposed => _handle.IsClosed;

    internal BufferHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    /// <summary>Copies <paramref name="source"/> in at float index <paramref name="offset"/>; returns once the span may be reused.</summary>
    public unsafe void Upload(ReadOnlySpan<float> source, long offset = 0)
    {
        var handle = Handle;
        CheckRange(offset, source.Length);
        fixed (float* src = source)
            Native.Check(NativeMethods.hv_buffer_upload(handle, (nuint)(offset * sizeof(float)), src, (nuint)source.Length * sizeof(float)));
    }

    /// <summary>Copies raw bytes (an 8-bit image for hv_preprocess) in from the buffer's start; the buffer holds Length·4 bytes.</summary>
    public unsafe void UploadBytes(ReadOnlySpan<byte> source)
    {
        var handle = Handle;
        if (source.Length > Length * sizeof(float))
            throw new ArgumentOutOfRangeException(nameof(source), $"{source.Length} bytes exceed the buffer's {Length * sizeof(float)}");
        fixed (byte* src = source)
            Native.Check(NativeMethods.hv_buffer_upload(handle, 0, src, (nuint)source.Length));
    }

    /// <summary>Copies out from float index <paramref name="offset"/> after all work queued on the device.</summary>
    public unsafe void Download(Span<float> destination, long offset = 0)
    {
        var handle = Handle;
        CheckRange(offset, destination.Length);
        fixed (float* dst = destination)
            Native.Check(NativeMethods.hv_buffer_download(handle, (nuint)(offset * sizeof(float)), dst, (nuint)destination.Length * sizeof(float)));
    }

    /// <summary>A new array with the whole buffer.</summary>
    public float[] Download()
    {
        var values = new float[Length];
        Download(values);
        return values;
    }

    /// <summary>
    /// A buffer aliasing floats [<paramref name="offset"/>, +<paramref name="length"/>) of this one (offset a multiple of
    /// 64 floats); it keeps the device memory alive, so either may be disposed first.
    /// </summary>
    public NativeBuffer View(long offset, long length)
    {
        var handle = Handle;
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        CheckRange(offset, length);
        Native.Check(NativeMethods.hv_buffer_view(handle, (nuint)(offset * sizeof(float)), (nuint)(length * sizeof(float)), out var view));
        return new NativeBuffer(Device, view, length);
    }

    void CheckRange(long offset, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset > Length || count > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, +{count}) exceeds the buffer's {Length} floats");
    }

    /// <summary>Frees the device memory. Idempotent.</summary>
    public void Dispose() => _handle.Dispose();
}
