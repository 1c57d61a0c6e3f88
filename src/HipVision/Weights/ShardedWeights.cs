namespace HipVision.Weights;

/// <summary>
/// A sharded checkpoint: an index (<c>*.index.json</c>, transformers' <c>weight_map</c> of tensor name to
/// shard file beside it) over one weight source per shard. Messages name the shard that holds a tensor.
/// </summary>
internal sealed class ShardedWeights : IWeightSource
{
    readonly List<IWeightSource> _shards;
    readonly Dictionary<string, IWeightSource> _byName;

    ShardedWeights(string indexPath, List<IWeightSource> shards, Dictionary<string, IWeightSource> byName)
    {
        SourceName = indexPath;
        _shards = shards;
        _byName = byName;
    }

    public string SourceName { get; }

    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>Reads the index and opens every shard it names with <paramref name="openShard"/>.</summary>
    public static ShardedWeights Open(string indexPath, Func<string, IWeightSource> openShard)
    {
        var weightMap = SafeTensorsWeights.ReadWeightMap(indexPath);
        var dir = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var shards = new List<IWeightSource>();
        try
        {
            var byShard = new Dictionary<string, IWeightSource>(StringComparer.Ordinal);
            var byName = new Dictionary<string, IWeightSource>(StringComparer.Ordinal);
            foreach (var (name, shard) in weightMap)
            {
                if (!byShard.TryGetValue(shard, out var source))
                {
                    source = openShard(Path.Combine(dir, shard));
                    shards.Add(source);
                    byShard[shard] = source;
                }
                if (!source.Contains(name))
                    throw new HipVisionException($"{indexPath}: tensor '{name}' is mapped to {shard}, which does not hold it");
                byName[name] = source;
            }
            return new ShardedWeights(indexPath, shards, byName);
        }
        catch
        {
            foreach (var s in shards) s.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public float[] Get(string name, int[] expectedShape) =>
        _byName.TryGetValue(name, out var shard) ? shard.Get(name, expectedShape) : throw WeightShapes.Missing(SourceName, name);

    public void Dispose()
    {
        foreach (var s in _shards) s.Dispose();
    }
}
