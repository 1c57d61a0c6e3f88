namespace HipVision.Weights;

// The values PickleReader builds. Python's int, float, str, bytes, bool and None become long, double,
// string, byte[], bool and null; a tuple becomes object?[]; a list List<object?>. Everything else a pickle
// can describe is one of the records below or is refused, so a reader never holds a live Python object.

/// <summary>A dict or collections.OrderedDict, keys in insertion order (later SETITEMs of a key overwrite it).</summary>
internal sealed class PickleDict
{
    readonly List<(object? Key, object? Value)> _items = [];
    // Only str and int keys are looked up (a state_dict has str keys); other keys are appended as they come.
    readonly Dictionary<object, int> _index = [];

    public IReadOnlyList<(object? Key, object? Value)> Items => _items;

    public void Set(object? key, object? value)
    {
        if (key is string or long)
        {
            if (_index.TryGetValue(key, out int i))
            {
                _items[i] = (key, value);
                return;
            }
            _index[key] = _items.Count;
        }
        _items.Add((key, value));
    }
}

/// <summary>What an allow-listed global stands for.</summary>
internal enum PickleGlobalKind
{
    OrderedDict,
    RebuildTensorV2,
    RebuildParameter,
    Storage,
}

/// <summary>An allow-listed global: a name, never a callable. <see cref="Dtype"/> is set for storage classes.</summary>
internal sealed record PickleGlobal(string Module, string Name, PickleGlobalKind Kind, SafeTensorDtype Dtype = default)
{
    public string FullName => Module + "." + Name;
}

/// <summary>A storage that torch.save wrote as the record <c>&lt;archive&gt;/data/&lt;Key&gt;</c>: <see cref="Numel"/> elements of <see cref="Dtype"/>.</summary>
internal sealed record TorchStorageRef(SafeTensorDtype Dtype, string Key, string Location, long Numel);

/// <summary>The arguments of <c>torch._utils._rebuild_tensor_v2</c>: a strided view of a storage (in elements).</summary>
internal sealed record TorchTensorRef(TorchStorageRef Storage, long StorageOffset, int[] Shape, long[] Stride);
