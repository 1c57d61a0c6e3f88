using System.IO.Compression;
using System.Text;

namespace HipVision.Tests.Weights;

/// <summary>
/// Writes pickle opcodes by hand (Lib/pickletools.py), so tests can build the data.pkl of a torch.save
/// checkpoint, or a hostile one, without Python. Methods return this, so a pickle reads top to bottom.
/// </summary>
sealed class TorchPickle
{
    readonly MemoryStream _out = new();

    public TorchPickle Op(params byte[] bytes) { _out.Write(bytes); return this; }

    public TorchPickle Proto(byte version = 2) => Op(0x80, version);
    public TorchPickle Mark() => Op((byte)'(');
    public TorchPickle EmptyDict() => Op((byte)'}');
    public TorchPickle EmptyTuple() => Op((byte)')');
    public TorchPickle Tuple() => Op((byte)'t');
    public TorchPickle Tuple1() => Op(0x85);
    public TorchPickle Tuple2() => Op(0x86);
    public TorchPickle False() => Op(0x89);
    public TorchPickle Reduce() => Op((byte)'R');
    public TorchPickle Build() => Op((byte)'b');
    public TorchPickle SetItem() => Op((byte)'s');
    public TorchPickle SetItems() => Op((byte)'u');
    public TorchPickle BinPersId() => Op((byte)'Q');
    public TorchPickle Stop() => Op((byte)'.');
    public TorchPickle Put(byte slot) => Op((byte)'q', slot);
    public TorchPickle Get(byte slot) => Op((byte)'h', slot);

    public TorchPickle Int(long v)
    {
        if (v is >= 0 and < 256) return Op((byte)'K', (byte)v);
        if (v is >= 0 and < 65536) return Op((byte)'M', (byte)v, (byte)(v >> 8));
        if (v is >= int.MinValue and <= int.MaxValue) return Op([(byte)'J', .. BitConverter.GetBytes((int)v)]);
        return Op([0x8a, 8, .. BitConverter.GetBytes(v)]); // LONG1, as pickle writes integers beyond 32 bits
    }

    /// <summary>BINUNICODE.</summary>
    public TorchPickle Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        return Op([(byte)'X', .. BitConverter.GetBytes(b.Length), .. b]);
    }

    /// <summary>SHORT_BINUNICODE (protocol 4).</summary>
    public TorchPickle ShortStr(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        return Op([0x8c, (byte)b.Length, .. b]);
    }

    /// <summary>GLOBAL 'module\nname\n'.</summary>
    public TorchPickle Global(string module, string name) =>
        Op([(byte)'c', .. Encoding.UTF8.GetBytes(module + "\n" + name + "\n")]);

    /// <summary>SHORT_BINUNICODE module, SHORT_BINUNICODE name, STACK_GLOBAL.</summary>
    public TorchPickle StackGlobal(string module, string name) => ShortStr(module).ShortStr(name).Op(0x93);

    public TorchPickle IntTuple(IEnumerable<long> values)
    {
        Mark();
        foreach (var v in values) Int(v);
        return Tuple();
    }

    /// <summary>
    /// torch._utils._rebuild_tensor_v2(('storage', torch.&lt;storageClass&gt;, key, 'cpu', numel), offset,
    /// shape, stride, False, collections.OrderedDict()) as torch.save writes it.
    /// </summary>
    public TorchPickle Tensor(string storageClass, string key, long numel, long offset, int[] shape, long[] stride) =>
        Global("torch._utils", "_rebuild_tensor_v2")
            .Mark()
                .Mark().Str("storage").Global("torch", storageClass).Str(key).Str("cpu").Int(numel).Tuple().BinPersId()
                .Int(offset).IntTuple(shape.Select(d => (long)d)).IntTuple(stride)
                .False()
                .Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Tuple().Reduce();

    /// <summary>A C-contiguous float32 tensor over a whole storage.</summary>
    public TorchPickle FloatTensor(string key, params int[] shape) =>
        Tensor("FloatStorage", key, shape.Aggregate(1L, (a, d) => a * d), 0, shape, ContiguousStride(shape));

    public static long[] ContiguousStride(int[] shape)
    {
        var stride = new long[shape.Length];
        long s = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { stride[d] = s; s *= shape[d]; }
        return stride;
    }

    public byte[] ToArray() => _out.ToArray();

    /// <summary>Writes a zip laid out like torch.save's: archive/data.pkl, archive/data/&lt;key&gt;, archive/version, all stored.</summary>
    public static string WriteCheckpoint(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]>? storages = null, string archive = "archive")
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        void Add(string name, byte[] data)
        {
            using var s = zip.CreateEntry(archive + "/" + name, CompressionLevel.NoCompression).Open();
            s.Write(data);
        }
        Add("data.pkl", pickle);
        foreach (var (key, data) in storages ?? new Dictionary<string, byte[]>()) Add("data/" + key, data);
        Add("version", "3\n"u8.ToArray());
        Add("byteorder", "little"u8.ToArray());
        return path;
    }

    public static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
