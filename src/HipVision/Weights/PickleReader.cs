using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace HipVision.Weights;

/// <summary>
/// A restricted unpickler for the <c>data.pkl</c> that torch.save writes: a stack machine over the opcodes
/// of pickle protocols 2 to 4 that a state_dict uses (Lib/pickletools.py documents each one). Nothing is
/// ever imported or called. GLOBAL and STACK_GLOBAL resolve only an allow-list of names
/// (<c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c> and <c>_rebuild_parameter</c>,
/// and the typed storage classes) to <see cref="PickleGlobal"/> records, and any other name stops the
/// load right there; REDUCE interprets only those records, building <see cref="PickleDict"/> and
/// <see cref="TorchTensorRef"/> values from plain data; BINPERSID turns torch's
/// <c>('storage', torch.FloatStorage, key, location, numel)</c> ids into <see cref="TorchStorageRef"/>.
/// Opcodes outside that set (INST, OBJ, NEWOBJ, EXT*, protocol-0 text opcodes, ...) are refused by name.
/// Every error is one line starting with the source name.
/// </summary>
internal sealed class PickleReader
{
    static readonly Dictionary<(string Module, string Name), PickleGlobal> Allowed = BuildAllowList();

    // Python's own unpickler caps LONG4 nothing; we cap every integer at 64 bits and every text line,
    // so a hostile length cannot make us allocate more than the pickle itself holds.
    const int MaxLineLength = 1024;

    // numpy's NPY_MAXDIMS; torch allows no more either in practice.
    const int MaxRank = 64;
    const double MaxElements = 1L << 53;

    // LONG1/LONG4 beyond this many bytes cannot be a 64-bit integer however it is padded.
    const int MaxLongBytes = 64;

    readonly byte[] _data;
    readonly string _source;
    readonly string _record;
    readonly List<object?> _stack = [];
    readonly Stack<int> _marks = new();
    // Pickler numbers memo entries 0, 1, 2, ... in the order it writes them (memo ids are len(memo)), so the memo is
    // a list: an id may overwrite an entry or append the next one, never skip ahead, which keeps the memo's memory
    // within a pointer per PUT opcode however the ids are chosen.
    readonly List<object?> _memo = [];
    int _pos;
    int _opStart;

    PickleReader(byte[] data, string source, string record)
    {
        _data = data;
        _source = source;
        _record = record;
    }

    /// <summary>Runs the pickle to its STOP and returns the value it built.</summary>
    /// <param name="pickle">The whole pickle (e.g. the data.pkl record).</param>
    /// <param name="source">What every message starts with: the file, e.g. "pytorch_model.bin".</param>
    /// <param name="record">What messages about the pickle's structure call it, e.g. "archive/data.pkl".</param>
    /// <exception cref="HipVisionException">A refused global or opcode, or a malformed pickle.</exception>
    public static object? Load(byte[] pickle, string source, string record)
    {
        ArgumentNullException.ThrowIfNull(pickle);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(record);
        return new PickleReader(pickle, source, record).Run();
    }

    /// <summary>The allow-listed global of that name, or null; dotted names (attribute chains) are never allowed.</summary>
    public static PickleGlobal? Resolve(string module, string name) =>
        Allowed.TryGetValue((module, name), out var g) ? g : null;

    object? Run()
    {
        while (true)
        {
            _opStart = _pos;
            byte op = U8();
            switch (op)
            {
                case 0x80: // PROTO
                    byte proto = U8();
                    if (proto > 5) throw Error($"pickle protocol {proto} is newer than 5");
                    break;
                case 0x95: // FRAME: a length prefix for buffered readers; the data is all here already
                    Take(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0)
                        throw Error($"STOP with {_stack.Count} values on the stack and {_marks.Count} open marks");
                    return _stack[0];

                case (byte)'(': _marks.Push(_stack.Count); break; // MARK
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP

                case (byte)'N': Push(null); break; // NONE
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': Push((long)U8()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a: Push(Long(U8())); break; // LONG1
                case 0x8b: Push(Long(Length(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))); break; // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT

                case (byte)'X': Push(Utf8(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))))); break; // BINUNICODE
                case 0x8c: Push(Utf8(Take(U8()))); break; // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))))); break; // BINUNICODE8
                // Python 2 str: torch.load decodes it with encoding="utf-8", and so do we.
                case (byte)'T': Push(Utf8(Take(Length(BinaryPrimitives.ReadInt32LittleEndian(Take(4)))))); break; // BINSTRING
                case (byte)'U': Push(Utf8(Take(U8()))); break; // SHORT_BINSTRING
                case (byte)'B': Push(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray()); break; // BINBYTES
                case (byte)'C': Push(Take(U8()).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: Push(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray()); break; // BINBYTES8

                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case 0x85: Push(new[] { Pop() }); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'t': Push(PopMark().ToArray()); break; // TUPLE
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)'l': Push(PopMark()); break; // LIST
                case (byte)'a': { var v = Pop(); ListAt().Add(v); break; } // APPEND
                case (byte)'e': { var items = PopMark(); ListAt().AddRange(items); break; } // APPENDS
                case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                case (byte)'d': Push(Dict(PopMark())); break; // DICT
                case (byte)'s': { var v = Pop(); var k = Pop(); DictAt().Set(k, v); break; } // SETITEM
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    if (items.Count % 2 != 0) throw Error("SETITEMS with an odd number of values");
                    var dict = DictAt();
                    for (int i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
                    break;
                }

                case (byte)'h': Push(Get(U8())); break; // BINGET
                case (byte)'j': Push(Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // LONG_BINGET
                case (byte)'q': Put(U8()); break; // BINPUT
                case (byte)'r': Put(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))); break; // LONG_BINPUT
                case 0x94: Put(_memo.Count); break; // MEMOIZE

                case (byte)'c': Push(Global(Line(), Line())); break; // GLOBAL
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                        throw Error("STACK_GLOBAL needs two strings on the stack");
                    Push(Global(m, n));
                    break;
                }
                case (byte)'Q': Push(PersistentLoad(Pop())); break; // BINPERSID
                case (byte)'R': { var args = Pop(); var callable = Pop(); Push(Reduce(callable, args)); break; } // REDUCE
                case (byte)'b': { var state = Pop(); Build(Peek(), state); break; } // BUILD

                default:
                    throw Error($"unsupported pickle opcode {PickleOpcodes.Describe(op)} (a torch.save state_dict does not use it)");
            }
        }
    }

    PickleGlobal Global(string module, string name) =>
        Resolve(module, name) ?? throw new HipVisionException(
            $"{_source}: refusing to load: the pickle references {Printable(module)}.{Printable(name)} (only state-dict globals are allowed)");

    // torch.serialization's persistent_id: ('storage', <storage class>, key, location, numel).
    TorchStorageRef PersistentLoad(object? pid)
    {
        if (pid is object?[] { Length: 5 } t && t[0] is "storage" && t[1] is PickleGlobal { Kind: PickleGlobalKind.Storage } type
            && t[2] is string key && t[3] is string location && t[4] is long numel && numel >= 0)
            return new TorchStorageRef(type.Dtype, key, location, numel);
        throw Error($"persistent id {Describe(pid)} is not ('storage', <storage class>, key, location, numel)");
    }

    object? Reduce(object? callable, object? args)
    {
        if (callable is not PickleGlobal g)
            throw Error($"REDUCE applies {Describe(callable)}, which is not an allow-listed global");
        if (args is not object?[] a)
            throw Error($"REDUCE of {g.FullName} with {Describe(args)} instead of an argument tuple");
        switch (g.Kind)
        {
            case PickleGlobalKind.OrderedDict when a.Length == 0:
                return new PickleDict();
            case PickleGlobalKind.OrderedDict when a is [List<object?> pairs]:
                var dict = new PickleDict();
                foreach (var p in pairs)
                    if (p is object?[] { Length: 2 } kv) dict.Set(kv[0], kv[1]);
                    else throw Error($"collections.OrderedDict item {Describe(p)} is not a (key, value) pair");
                return dict;
            // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            case PickleGlobalKind.RebuildTensorV2 when a.Length is 6 or 7:
                return Tensor(a);
            // _rebuild_parameter(data, requires_grad, backward_hooks): a Parameter is its tensor to us.
            case PickleGlobalKind.RebuildParameter when a is [TorchTensorRef data, bool, PickleDict]:
                return data;
            default:
                throw Error($"REDUCE of {g.FullName} with {a.Length} arguments is not how torch.save writes a state_dict");
        }
    }

    TorchTensorRef Tensor(object?[] a)
    {
        if (a[0] is not TorchStorageRef storage || a[1] is not long offset || offset < 0
            || a[2] is not object?[] size || a[3] is not object?[] stride || size.Length != stride.Length
            || a[4] is not bool || a[5] is not PickleDict || (a.Length == 7 && a[6] is not null and not PickleDict))
            throw Error($"torch._utils._rebuild_tensor_v2 arguments {Describe(a)} are not (storage, offset, size, stride, requires_grad, hooks)");
        if (size.Length > MaxRank)
            throw Error($"tensor of {size.Length} dimensions, more than {MaxRank}");
        var shape = new int[size.Length];
        var strides = new long[size.Length];
        double elements = 1;
        for (int d = 0; d < size.Length; d++)
        {
            if (size[d] is not long n || n < 0 || n > int.MaxValue || stride[d] is not long s || s < 0)
                throw Error($"tensor size {Describe(size)} / stride {Describe(stride)} holds a value that is not a non-negative integer");
            shape[d] = (int)n;
            strides[d] = s;
            elements *= n;
        }
        // Every later product (element count, bytes) is then exact in 64 bits; the storage check bounds it further.
        if (elements > MaxElements)
            throw Error($"tensor size {Describe(size)} has more than 2^53 elements");
        return new TorchTensorRef(storage, offset, shape, strides);
    }

    void Build(object? target, object? state)
    {
        // An OrderedDict state_dict pickles its attributes, {'_metadata': {...}} (module versions); weights
        // never depend on them, so they are dropped rather than set on anything.
        if (target is PickleDict && state is PickleDict or object?[] { Length: 2 })
            return;
        throw Error($"BUILD on {Describe(target)} is not how torch.save writes a state_dict");
    }

    PickleDict Dict(List<object?> items)
    {
        if (items.Count % 2 != 0) throw Error("DICT with an odd number of values");
        var dict = new PickleDict();
        for (int i = 0; i + 1 < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
        return dict;
    }

    List<object?> ListAt() =>
        Peek() as List<object?> ?? throw Error($"APPEND to {Describe(Peek())}, not a list");

    PickleDict DictAt() =>
        Peek() as PickleDict ?? throw Error($"SETITEM on {Describe(Peek())}, not a dict");

    object? Get(long index) =>
        index < _memo.Count ? _memo[(int)index] : throw Error($"memo entry {index} read before it was written");

    void Put(long index)
    {
        var value = Peek();
        if (index < _memo.Count) _memo[(int)index] = value;
        else if (index == _memo.Count) _memo.Add(value);
        else throw Error($"memo entry {index} written after only {_memo.Count} entries (pickle numbers them in order)");
    }

    void Push(object? value) => _stack.Add(value);

    object? Peek()
    {
        int floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Error("stack underflow");
        return _stack[^1];
    }

    object? Pop()
    {
        var v = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Error("no MARK to pop to");
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    byte U8() => Take(1)[0];

    ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _pos)
            throw Error($"truncated: needs {count} more bytes, {_data.Length - _pos} left");
        var span = _data.AsSpan(_pos, count);
        _pos += count;
        return span;
    }

    int Length(long declared) =>
        declared >= 0 && declared <= _data.Length - _pos ? (int)declared
            : throw Error($"length {declared} runs past the end of the pickle ({_data.Length} bytes)");

    int Length(ulong declared) => Length(declared > long.MaxValue ? -1 : (long)declared);

    // LONG1/LONG4: little-endian two's complement of n bytes.
    long Long(int n)
    {
        if (n > MaxLongBytes) throw Error($"integer of {n} bytes does not fit in 64 bits");
        var bytes = Take(n);
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        if (value < long.MinValue || value > long.MaxValue)
            throw Error($"integer of {n} bytes does not fit in 64 bits");
        return (long)value;
    }

    string Line()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos, Math.Min(MaxLineLength, _data.Length - _pos));
        if (end < 0) throw Error($"GLOBAL name without a newline in its first {MaxLineLength} bytes");
        var line = Utf8(_data.AsSpan(_pos, end - _pos));
        _pos = end + 1;
        return line;
    }

    string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error("string is not valid UTF-8");
        }
    }

    HipVisionException Error(string what) =>
        new($"{_source}: {_record} byte {_opStart}: {what}");

    /// <summary>A short, one-line rendering of a value for messages; nesting is cut off, so a hostile value cannot recurse deeply.</summary>
    static string Describe(object? v) => Describe(v, 2);

    static string Describe(object? v, int depth) => v switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long or double => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!,
        string s => "'" + Printable(s) + "'",
        byte[] bytes => $"bytes[{bytes.Length}]",
        object?[] t when t.Length > 8 || depth == 0 => $"tuple of {t.Length}",
        object?[] t => "(" + string.Join(", ", t.Select(x => Describe(x, depth - 1))) + (t.Length == 1 ? ",)" : ")"),
        List<object?> l => $"list of {l.Count}",
        PickleDict d => $"dict of {d.Items.Count}",
        PickleGlobal g => g.FullName,
        TorchStorageRef s => $"storage '{Printable(s.Key)}'",
        TorchTensorRef => "tensor",
        _ => v.GetType().Name,
    };

    /// <summary>Text from the pickle made safe for a one-line message: control characters escaped, long text cut.</summary>
    internal static string Printable(string text)
    {
        var sb = new StringBuilder();
        foreach (var ch in text.Length > 120 ? text[..120] : text)
            if (char.IsControl(ch)) sb.Append($"\\x{(int)ch:x2}");
            else sb.Append(ch);
        if (text.Length > 120) sb.Append("...");
        return sb.ToString();
    }

    static Dictionary<(string, string), PickleGlobal> BuildAllowList()
    {
        var list = new List<PickleGlobal>
        {
            new("collections", "OrderedDict", PickleGlobalKind.OrderedDict),
            new("torch._utils", "_rebuild_tensor_v2", PickleGlobalKind.RebuildTensorV2),
            new("torch._utils", "_rebuild_parameter", PickleGlobalKind.RebuildParameter),
        };
        (string Name, SafeTensorDtype Dtype)[] storages =
        [
            ("FloatStorage", SafeTensorDtype.F32), ("DoubleStorage", SafeTensorDtype.F64),
            ("HalfStorage", SafeTensorDtype.F16), ("BFloat16Storage", SafeTensorDtype.BF16),
            ("LongStorage", SafeTensorDtype.I64), ("IntStorage", SafeTensorDtype.I32),
            ("ShortStorage", SafeTensorDtype.I16), ("CharStorage", SafeTensorDtype.I8),
            ("ByteStorage", SafeTensorDtype.U8), ("BoolStorage", SafeTensorDtype.Bool),
        ];
        foreach (var (name, dtype) in storages)
            list.Add(new("torch", name, PickleGlobalKind.Storage, dtype));
        return list.ToDictionary(g => (g.Module, g.Name));
    }
}
