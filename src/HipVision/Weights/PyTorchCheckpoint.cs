using System.IO.Compression;
using HipVision.IO;

namespace HipVision.Weights;

/// <summary>
/// A state_dict saved by <c>torch.save</c> in the zip format (torch ≥ 1.6), read without running any of it:
/// <c>&lt;archive&gt;/data.pkl</c> is a pickle that <see cref="PickleReader"/> interprets against an
/// allow-list, and each tensor is a strided view of a raw little-endian storage record
/// <c>&lt;archive&gt;/data/&lt;key&gt;</c>. <see cref="Open"/> checks every tensor against its storage
/// record before it returns; reads gather non-contiguous views into C order and convert F16, BF16 and F64
/// to float32. Every error is one line naming the file and, where there is one, the tensor.
/// </summary>
public sealed class PyTorchCheckpoint : IWeightSource
{
    /// <summary>The single-file name transformers saves.</summary>
    public const string FileName = "pytorch_model.bin";

    /// <summary>The index transformers writes beside the shards of a large checkpoint.</summary>
    public const string IndexFileName = "pytorch_model.bin.index.json";

    // data.pkl holds names and shapes only; a real one is kilobytes to a few megabytes.
    const long MaxPickleBytes = 64L << 20;

    // Deflate cannot expand data more than 1032-fold; a record declaring more is lying about its size
    // (a zip bomb or a damaged archive). torch.save stores records uncompressed (ratio 1).
    const long MaxDeflateRatio = 1032;

    readonly ZipArchive _zip;
    readonly Dictionary<string, PyTorchTensorInfo> _byName;
    readonly Dictionary<string, ZipArchiveEntry> _storages;
    readonly Lock _lock = new();
    bool _disposed;

    PyTorchCheckpoint(string path, ZipArchive zip, List<PyTorchTensorInfo> tensors, Dictionary<string, ZipArchiveEntry> storages)
    {
        Path = path;
        _zip = zip;
        Tensors = tensors;
        _storages = storages;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The path the file was opened with; every error message starts with it.</summary>
    public string Path { get; }

    /// <summary>Same as <see cref="Path"/>.</summary>
    public string SourceName => Path;

    /// <summary>Every state_dict entry, in the pickle's order.</summary>
    public IReadOnlyList<PyTorchTensorInfo> Tensors { get; }

    /// <summary>Every tensor name.</summary>
    public IEnumerable<string> Names => Tensors.Select(t => t.Name);

    /// <summary>Opens the archive, interprets its pickle and checks every tensor against its storage record.</summary>
    /// <exception cref="HipVisionException">The file is missing, unreadable, not a zip-format checkpoint, or malformed.</exception>
    public static PyTorchCheckpoint Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = InputFile.OpenRead(path);
        ZipArchive? zip = null;
        try
        {
            CheckSignature(stream, path);
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            }
            catch (InvalidDataException e)
            {
                throw new HipVisionException($"{path}: truncated or damaged zip archive: {OneLine(e.Message)}", e);
            }
            var prefix = ArchivePrefix(zip, path);
            CheckByteOrder(zip, prefix, path);
            var pickle = ReadRecord(zip.GetEntry(prefix + "data.pkl")!, MaxPickleBytes, path);
            var root = PickleReader.Load(pickle, path, prefix + "data.pkl");
            var (tensors, storages) = Describe(root, zip, prefix, path);
            return new PyTorchCheckpoint(path, zip, tensors, storages);
        }
        catch (Exception e)
        {
            if (zip != null) zip.Dispose();
            else stream.Dispose();
            if (e is IOException or UnauthorizedAccessException)
                throw new HipVisionException($"{path}: cannot read: {OneLine(e.Message)}", e);
            if (e is NotSupportedException)
                throw new HipVisionException($"{path}: cannot read: a checkpoint must be a regular file (a zip is read by seeking), not a pipe", e);
            // ZipArchive checks parts of the central directory only when the entries are first listed.
            if (e is InvalidDataException)
                throw new HipVisionException($"{path}: truncated or damaged zip archive: {OneLine(e.Message)}", e);
            throw;
        }
    }

    static void CheckSignature(Stream stream, string path)
    {
        Span<byte> head = stackalloc byte[4];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        // torch < 1.6 wrote a bare pickle stream: PROTO 2, then LONG1 with the magic number 0x1950a86a20f9469cfc6c.
        if (n >= 3 && head[0] == 0x80 && head[1] == 0x02 && head[2] == 0x8a)
            throw new HipVisionException(
                $"{path}: legacy (pre-1.6) PyTorch format is unsupported, re-save with torch>=1.6 (torch.save(..., _use_new_zipfile_serialization=True))");
        if (n < 4 || head[0] != (byte)'P' || head[1] != (byte)'K' || head[2] != 3 || head[3] != 4)
            throw new HipVisionException($"{path}: not a PyTorch checkpoint (no zip signature; torch.save writes a zip archive since torch 1.6)");
    }

    // torch.save names every record "<archive>/..." with one top-level folder (the file's stem when saved).
    static string ArchivePrefix(ZipArchive zip, string path)
    {
        var pickles = zip.Entries.Select(e => e.FullName)
            .Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length)
            .ToList();
        if (pickles.Count == 0)
            throw new HipVisionException($"{path}: zip archive has no <archive>/data.pkl record, so it is not a torch.save checkpoint");
        if (pickles.Count > 1)
            throw new HipVisionException($"{path}: zip archive has {pickles.Count} data.pkl records ({string.Join(", ", pickles.Take(3))}), expected one");
        return pickles[0][..^"data.pkl".Length];
    }

    static void CheckByteOrder(ZipArchive zip, string prefix, string path)
    {
        // Written since torch 1.13; absent means little-endian.
        var entry = zip.GetEntry(prefix + "byteorder");
        if (entry == null) return;
        var text = System.Text.Encoding.ASCII.GetString(ReadRecord(entry, 16, path)).Trim();
        if (text != "little")
            throw new HipVisionException($"{path}: {prefix}byteorder says '{PickleReader.Printable(text)}', only little-endian checkpoints are supported");
    }

    static (List<PyTorchTensorInfo>, Dictionary<string, ZipArchiveEntry>) Describe(object? root, ZipArchive zip, string prefix, string path)
    {
        if (root is not PickleDict dict)
            throw new HipVisionException($"{path}: the pickle holds a {TypeName(root)}, expected a state_dict (a dict of name to tensor)");
        var tensors = new List<PyTorchTensorInfo>();
        var storages = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name)
                throw new HipVisionException($"{path}: state_dict has a {TypeName(key)} key, expected tensor names");
            if (value is not TorchTensorRef t)
                throw new HipVisionException(
                    $"{path}: entry '{PickleReader.Printable(name)}' is a {TypeName(value)}, not a tensor (a training checkpoint rather than a state_dict?)");
            var info = new PyTorchTensorInfo(name, t.Storage.Dtype, t.Shape, t.Stride, t.StorageOffset, t.Storage.Key);
            var record = prefix + "data/" + t.Storage.Key;
            var entry = zip.GetEntry(record)
                ?? throw new HipVisionException($"{path}: tensor '{name}': storage record '{PickleReader.Printable(record)}' missing");
            CheckStorage(info, t.Storage, entry, path);
            storages[t.Storage.Key] = entry;
            tensors.Add(info);
        }
        return (tensors, storages);
    }

    static void CheckStorage(PyTorchTensorInfo info, TorchStorageRef storage, ZipArchiveEntry entry, string path)
    {
        string where = $"{path}: tensor '{PickleReader.Printable(info.Name)}'";
        CheckDeclaredSize(entry, path);
        int size = storage.Dtype.Size();
        if (storage.Numel > entry.Length / size)
            throw new HipVisionException(
                $"{where}: storage record '{entry.FullName}' holds {entry.Length} bytes, the pickle declares {storage.Numel} {storage.Dtype.HeaderName()} elements ({storage.Numel * (double)size:0} bytes)");
        long end;
        try
        {
            end = info.StorageEnd;
        }
        catch (OverflowException)
        {
            end = long.MaxValue;
        }
        if (end > storage.Numel)
            throw new HipVisionException(
                $"{where}: shape {WeightShapes.Format(info.Shape)} with stride ({string.Join(", ", info.Stride)}) from offset {info.StorageOffset} needs storage elements up to {end}, storage '{entry.FullName}' holds {storage.Numel}");
    }

    /// <summary>True when the checkpoint holds a tensor of that name.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The pickle's description of a tensor.</summary>
    /// <exception cref="HipVisionException">No tensor of that name.</exception>
    public PyTorchTensorInfo Info(string name) =>
        _byName.TryGetValue(name, out var info) ? info : throw WeightShapes.Missing(Path, name);

    /// <summary>The tensor's elements in C order as raw little-endian bytes (gathered when its view is strided).</summary>
    /// <exception cref="HipVisionException">No such tensor, too large for one array, or the record cannot be read.</exception>
    public byte[] ReadBytes(string name)
    {
        var info = Info(name);
        int size = info.Dtype.Size();
        long count = info.ElementCount;
        if (count * (double)size > Array.MaxLength || info.StorageEnd * (double)size > Array.MaxLength)
            throw new HipVisionException($"{Path}: tensor '{name}' spans more bytes than one array can hold");
        byte[] window = ReadStorage(info, info.StorageOffset * size, (int)((info.StorageEnd - info.StorageOffset) * size));
        if (info.IsContiguous) return window;
        var result = new byte[count * size];
        StridedCopy.Gather(window, info.Shape, info.Stride, size, result);
        return result;
    }

    /// <summary>A tensor as float32 in C order, converting F16, BF16 and F64; NaN or ±Inf values are a warning naming the tensor.</summary>
    /// <exception cref="HipVisionException">No such tensor, or it is not floating point.</exception>
    public float[] ReadFloat32(string name)
    {
        var info = Info(name);
        if (!info.Dtype.IsFloat())
            throw new HipVisionException($"{Path}: tensor '{name}' has dtype {info.Dtype.HeaderName()}, expected a floating-point dtype (F32, F16, BF16, F64)");
        var values = Float32Conversion.ToFloat32(ReadBytes(name), info.Dtype, out bool nonFinite);
        Float32Conversion.WarnIfNonFinite(nonFinite, values, Path, name);
        return values;
    }

    /// <summary>The tensor as float32, after checking that it exists and has the expected shape.</summary>
    public float[] Get(string name, int[] expectedShape)
    {
        ArgumentNullException.ThrowIfNull(expectedShape);
        if (!_byName.TryGetValue(name, out var info))
            throw WeightShapes.Missing(Path, name);
        WeightShapes.Check(Path, name, info.Shape, expectedShape);
        return ReadFloat32(name);
    }

    byte[] ReadStorage(PyTorchTensorInfo info, long skip, int length)
    {
        var entry = _storages[info.StorageKey];
        var buffer = new byte[length];
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                using var s = entry.Open();
                if (s.CanSeek) s.Seek(skip, SeekOrigin.Begin);
                else Skip(s, skip);
                s.ReadExactly(buffer);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new HipVisionException($"{Path}: tensor '{info.Name}': cannot read storage record '{entry.FullName}': {OneLine(e.Message)}", e);
            }
        }
        return buffer;
    }

    static void Skip(Stream s, long count)
    {
        var scratch = new byte[Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            int n = s.Read(scratch, 0, (int)Math.Min(count, scratch.Length));
            if (n == 0) throw new EndOfStreamException();
            count -= n;
        }
    }

    static void CheckDeclaredSize(ZipArchiveEntry entry, string path)
    {
        if (entry.Length > MaxDeflateRatio * entry.CompressedLength + 1024)
            throw new HipVisionException(
                $"{path}: record '{PickleReader.Printable(entry.FullName)}' declares {entry.Length} bytes from {entry.CompressedLength} compressed bytes, more than deflate can produce (a zip bomb or a damaged archive)");
    }

    static byte[] ReadRecord(ZipArchiveEntry entry, long limit, string path)
    {
        CheckDeclaredSize(entry, path);
        if (entry.Length > limit)
            throw new HipVisionException($"{path}: record '{entry.FullName}' is {entry.Length} bytes, more than the {limit}-byte limit");
        var bytes = new byte[entry.Length];
        try
        {
            using var s = entry.Open();
            s.ReadExactly(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new HipVisionException($"{path}: cannot read record '{entry.FullName}': {OneLine(e.Message)}", e);
        }
        return bytes;
    }

    static string TypeName(object? v) => v switch
    {
        null => "None",
        string => "str",
        long => "int",
        double => "float",
        bool => "bool",
        byte[] => "bytes",
        object?[] => "tuple",
        List<object?> => "list",
        PickleDict => "dict",
        TorchStorageRef => "storage",
        TorchTensorRef => "tensor",
        PickleGlobal g => g.FullName,
        _ => v.GetType().Name,
    };

    static string OneLine(string s) => s.ReplaceLineEndings(" ");

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _zip.Dispose();
        }
    }
}
