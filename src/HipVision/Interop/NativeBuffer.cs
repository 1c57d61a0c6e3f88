using System.Buffers;

namespace HipVision.Interop;

/// <summary>
/// Device memory of a <see cref="NativeDevice"/>, holding <see cref="Length"/> elements of <see cref="Type"/> (float32, or 16-bit
/// fp16/bf16 that ops widen to fp32 inside). The host side always speaks float32: <see cref="Upload(ReadOnlySpan{float}, long)"/>
/// narrows a 16-bit buffer's values on the host and <see cref="Download(Span{float}, long)"/> widens them (<see cref="Precisions"/>,
/// bit-identical to <c>hv_cast</c>), so the transfer moves the stored bytes only.
/// </summary>
internal sealed class NativeBuffer : IDisposable
{
    const int ChunkElements = 1 << 16;
    readonly BufferHandle _handle;

    internal NativeBuffer(NativeDevice device, BufferHandle handle, long length, Precision type)
    {
        Device = device;
        _handle = handle;
        Length = length;
        Type = type;
    }

    /// <summary>The device this buffer was allocated on.</summary>
    public NativeDevice Device { get; }

    /// <summary>Capacity in elements of <see cref="Type"/>.</summary>
    public long Length { get; }

    /// <summary>The element type every op reads and writes this buffer as (<c>hv_buffer_set_dtype</c>).</summary>
    public Precision Type { get; }

    /// <summary>Capacity in bytes.</summary>
    public long Bytes => Length * Type.ElementSize();

    internal bool IsDisposed => _handle.IsClosed;

    internal BufferHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    /// <summary>Copies <paramref name="source"/> in at element <paramref name="offset"/>, narrowed to <see cref="Type"/>; returns once the span may be reused.</summary>
    public unsafe void Upload(ReadOnlySpan<float> source, long offset = 0)
    {
        var handle = Handle;
        CheckRange(offset, source.Length);
        if (Type == Precision.Fp32)
        {
            fixed (float* src = source)
                Native.Check(NativeMethods.hv_buffer_upload(handle, (nuint)(offset * sizeof(float)), src, (nuint)source.Length * sizeof(float)));
            return;
        }
        var bits = ArrayPool<ushort>.Shared.Rent(Math.Min(source.Length, ChunkElements));
        try
        {
            for (int start = 0; start < source.Length; start += ChunkElements)
            {
                var chunk = bits.AsSpan(0, Math.Min(ChunkElements, source.Length - start));
                Type.Narrow(source.Slice(start, chunk.Length), chunk);
                fixed (ushort* src = chunk)
                    Native.Check(NativeMethods.hv_buffer_upload(handle, (nuint)((offset + start) * sizeof(ushort)), src, (nuint)chunk.Length * sizeof(ushort)));
            }
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(bits);
        }
    }

    /// <summary>Copies raw bytes (an 8-bit image for hv_preprocess) in from the buffer's start.</summary>
    public unsafe void UploadBytes(ReadOnlySpan<byte> source)
    {
        var handle = Handle;
        if (source.Length > Bytes)
            throw new ArgumentOutOfRangeException(nameof(source), $"{source.Length} bytes exceed the buffer's {Bytes}");
        fixed (byte* src = source)
            Native.Check(NativeMethods.hv_buffer_upload(handle, 0, src, (nuint)source.Length));
    }

    /// <summary>Copies out from element <paramref name="offset"/>, widened to float32, after all work queued on the device.</summary>
    public unsafe void Download(Span<float> destination, long offset = 0)
    {
        var handle = Handle;
        CheckRange(offset, destination.Length);
        if (Type == Precision.Fp32)
        {
            fixed (float* dst = destination)
                Native.Check(NativeMethods.hv_buffer_download(handle, (nuint)(offset * sizeof(float)), dst, (nuint)destination.Length * sizeof(float)));
            return;
        }
        var bits = new ushort[destination.Length];
        DownloadBits(bits, offset);
        Type.Widen(bits, destination);
    }

    /// <summary>The stored 16-bit patterns of a fp16/bf16 buffer from element <paramref name="offset"/>, as they are.</summary>
    public unsafe void DownloadBits(Span<ushort> destination, long offset = 0)
    {
        var handle = Handle;
        if (Type == Precision.Fp32) throw new InvalidOperationException("a float32 buffer has no 16-bit patterns");
        CheckRange(offset, destination.Length);
        fixed (ushort* dst = destination)
            Native.Check(NativeMethods.hv_buffer_download(handle, (nuint)(offset * sizeof(ushort)), dst, (nuint)destination.Length * sizeof(ushort)));
    }

    /// <summary>A new array with the whole buffer, as float32.</summary>
    public float[] Download()
    {
        var values = new float[Length];
        Download(values);
        return values;
    }

    /// <summary>
    /// A buffer of the same type aliasing elements [<paramref name="offset"/>, +<paramref name="length"/>) of this one (at a
    /// 256-byte boundary); it keeps the device memory alive, so either may be disposed first.
    /// </summary>
    public NativeBuffer View(long offset, long length)
    {
        var handle = Handle;
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        CheckRange(offset, length);
        int size = Type.ElementSize();
        Native.Check(NativeMethods.hv_buffer_view(handle, (nuint)(offset * size), (nuint)(length * size), out var view));
        return new NativeBuffer(Device, view, length, Type);
    }

    void CheckRange(long offset, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset > Length || count > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, +{count}) exceeds the buffer's {Length} elements");
    }

    /// <summary>Frees the device memory. Idempotent.</summary>
    public void Dispose() => _handle.Dispose();
}
