namespace HipVision.Weights;

/// <summary>
/// Opens the weights of a Hugging Face model in whichever format it was saved: safetensors, preferred as
/// transformers prefers it, else a <c>torch.save</c> state_dict (read by <see cref="PyTorchCheckpoint"/>,
/// which runs nothing from the file). Single files and sharded checkpoints (an <c>*.index.json</c>) both work.
/// </summary>
public static class WeightFiles
{
    /// <summary>The file names a model directory is searched for, first match wins.</summary>
    public static IReadOnlyList<string> DirectoryCandidates { get; } =
    [
        SafeTensorsWeights.SingleFileName, SafeTensorsWeights.IndexFileName,
        PyTorchCheckpoint.FileName, PyTorchCheckpoint.IndexFileName,
    ];

    /// <summary>
    /// Opens a model directory (the first of <see cref="DirectoryCandidates"/> it holds), a weights file
    /// (a zip or legacy-pickle signature means PyTorch, anything else safetensors), or an index
    /// (<c>pytorch_model.bin.index.json</c> means PyTorch shards, any other <c>*.index.json</c> safetensors shards).
    /// </summary>
    /// <exception cref="HipVisionException">Nothing to open, or any file is malformed.</exception>
    public static IWeightSource Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            foreach (var candidate in DirectoryCandidates)
            {
                var file = Path.Combine(path, candidate);
                if (File.Exists(file)) return OpenFile(file);
            }
            throw new HipVisionException($"{path}: directory holds none of {string.Join(", ", DirectoryCandidates)}");
        }
        return OpenFile(path);
    }

    static IWeightSource OpenFile(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".bin.index.json", StringComparison.OrdinalIgnoreCase))
            return ShardedWeights.Open(path, PyTorchCheckpoint.Open);
        if (name.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase))
            return SafeTensorsWeights.Open(path);
        return LooksLikePyTorch(path) ? PyTorchCheckpoint.Open(path) : SafeTensorsWeights.Open(path);
    }

    // A safetensors file starts with its header length, a u64 LE of at most 100 MB. Read as one, "PK\x03\x04" (zip)
    // is a 67 MB header and 0x80 0x02 0x8a 0x0a (PROTO 2, LONG1 of the 10-byte torch magic: torch < 1.6) a 176 MB one.
    static bool LooksLikePyTorch(string path)
    {
        Span<byte> head = stackalloc byte[4];
        int n;
        try
        {
            using var s = File.OpenRead(path);
            n = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // the safetensors reader reports it in the house words
        }
        return (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
            || (n >= 4 && head[0] == 0x80 && head[1] == 0x02 && head[2] == 0x8a && head[3] == 0x0a);
    }
}
