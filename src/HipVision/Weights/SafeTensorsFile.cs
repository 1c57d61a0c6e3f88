using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using HipVision.IO;

namespace HipVision.Weights;

/// <summary>
/// A memory-mapped safetensors file (https://huggingface.co/docs/safetensors):
/// <c>u64 LE header length N | N bytes of UTF-8 JSON header | data</c>.
/// <see cref="Open"/> validates the whole header (dtypes, shapes, offsets, sizes, overlaps) before it
/// returns, so every later read is in bounds; every error is one line naming the file and the tensor.
/// Spans handed out by <see cref="Bytes"/> point into the mapping and are valid until <see cref="Dispose"/>.
/// </summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    readonly MemoryMappedFile _map;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _base;
    readonly long _dataStart;
    readonly Dictionary<string, SafeTensorInfo> _byName;
    bool _disposed;

    SafeTensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePtr, long dataStart,
        List<SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _map = map;
        _view = view;
        _base = basePtr;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The path the file was opened with; every error message starts with it.</summary>
    public string Path { get; }

    /// <summary>Every tensor, in header order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> (string to string; empty when absent), e.g. format = pt.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens, maps and validates a safetensors file.</summary>
    /// <exception cref="HipVisionException">The file is missing, unreadable or malformed.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = InputFile.OpenRead(path);
        long fileSize = stream.Length;
        if (fileSize < 8)
        {
            stream.Dispose();
            throw new HipVisionException($"{path}: {fileSize} bytes, too short for a safetensors file (at least 8)");
        }
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        byte* basePtr = null;
        try
        {
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePtr);
            basePtr += view.PointerOffset;

            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(basePtr, 8));
            if (headerLength > (ulong)(fileSize - 8))
                throw new HipVisionException($"{path}: header length {headerLength} runs past the end of the file ({fileSize} bytes)");
            if (headerLength > SafeTensorsHeader.MaxHeaderLength)
                throw new HipVisionException($"{path}: header length {headerLength} exceeds the {SafeTensorsHeader.MaxHeaderLength}-byte limit");
            if (headerLength < 2)
                throw new HipVisionException($"{path}: header length {headerLength} is too short for a JSON object");
            long dataStart = 8 + (long)headerLength;
            var (tensors, metadata) = SafeTensorsHeader.Parse(
                new ReadOnlySpan<byte>(basePtr + 8, (int)headerLength), fileSize - dataStart, path);
            return new SafeTensorsFile(path, map, view, basePtr, dataStart, tensors, metadata);
        }
        catch (Exception e)
        {
            if (basePtr != null) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map?.Dispose();
            if (map == null) stream.Dispose();
            if (e is IOException or UnauthorizedAccessException)
                throw new HipVisionException($"{path}: cannot map: {e.Message}", e);
            throw;
        }
    }

    /// <summary>True when the file holds a tensor of that name.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The header entry of a tensor.</summary>
    /// <exception cref="HipVisionException">No tensor of that name.</exception>
    public SafeTensorInfo Info(string name) =>
        _byName.TryGetValue(name, out var info) ? info : throw WeightShapes.Missing(Path, name);

    /// <summary>The raw little-endian bytes of a tensor, straight from the mapping (no copy); valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Bytes(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = Info(name);
        if (info.ByteLength > int.MaxValue)
            throw new HipVisionException($"{Path}: tensor '{name}' is {info.ByteLength} bytes, more than one span can address");
        return new ReadOnlySpan<byte>(_base + _dataStart + info.DataBegin, (int)info.ByteLength);
    }

    /// <summary>
    /// A tensor as float32, converting F16, BF16 and F64 (hub checkpoints are sometimes stored in half
    /// precision). F64 rounds to nearest; F16 and BF16 convert exactly. NaN or ±Inf values are a warning
    /// (<see cref="HipVisionWarnings"/>) naming the tensor, checked during the conversion itself.
    /// </summary>
    /// <exception cref="HipVisionException">No such tensor, or it is not floating point.</exception>
    public float[] ReadFloat32(string name)
    {
        var info = Info(name);
        if (!info.Dtype.IsFloat())
            throw new HipVisionException($"{Path}: tensor '{name}' has dtype {info.Dtype.HeaderName()}, expected a floating-point dtype (F32, F16, BF16, F64)");
        var values = Float32Conversion.ToFloat32(Bytes(name), info.Dtype, out bool nonFinite);
        Float32Conversion.WarnIfNonFinite(nonFinite, values, Path, name);
        return values;
    }

    /// <summary>Unmaps the file; spans from <see cref="Bytes"/> must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
