using HipVision.Graph;
using HipVision.Models;
using HipVision.Weights;

namespace HipVision.Conversion;

/// <summary>
/// <c>hipvision convert</c>: a model written as one safetensors file in the engine's layouts (<see cref="ConvertedModel"/>).
/// The tensors are the constants of the graph the engine compiles: the family's own remap done (QKV fused, BEiT's
/// relative position bias gathered) and BatchNorm folded by the backend's own pass (<see cref="BatchNormFolding"/>),
/// so one piece of code does each job whichever way a model is loaded, and a converted fp32 file gives the directory's
/// logits bit for bit. The input may also be a converted file (e.g. fp32 to fp16).
/// </summary>
public static class ModelConverter
{
    /// <summary>
    /// Converts <paramref name="model"/> (a Hugging Face model directory or a converted file) into <paramref name="output"/>,
    /// written to a temporary file beside it and renamed: a failure leaves no output and no temporary, and the input
    /// is only read.
    /// </summary>
    /// <exception cref="HipVisionException">The input is missing or invalid, the output is the input or a directory,
    /// a value does not fit the precision, or the file cannot be written.</exception>
    public static void Convert(string model, string output, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(output);
        using var files = ModelFiles.Open(model);
        RefuseInput(model, output);
        Convert(files.Config, files.ConfigJson, files.PreprocessorJson, files.Weights, output, precision);
    }

    /// <summary>
    /// Converts a model given by its parts (e.g. synthetic weights): <paramref name="weights"/> are read, not disposed,
    /// and name the input in errors. The texts are stored as they are, so they must be what <paramref name="config"/>
    /// and the preprocessor were parsed from.
    /// </summary>
    public static void Convert(ModelConfig config, string configJson, string preprocessorJson, IWeightSource weights, string output, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(output);
        if (Directory.Exists(output))
            throw new HipVisionException($"{output}: is a directory; give the file to write, e.g. {Path.Combine(output, "model.safetensors")}");
        Imaging.PreprocessorConfig.Parse(preprocessorJson, $"{weights.SourceName} (preprocessor config)");
        var graph = BatchNormFolding.Apply(config.BuildGraph(weights, 1));
        var dtype = precision.Dtype();
        var writer = new SafeTensorsWriter();
        writer.Metadata.Clear(); // no "format": "pt": these are not a PyTorch state_dict
        foreach (var (key, value) in ConvertedModel.Metadata(config, configJson, preprocessorJson, precision))
            writer.Metadata[key] = value;
        foreach (var t in Tensors(graph))
            writer.Add(t.Name, dtype, t.Shape, t.ElementCount * dtype.Size(),
                stream => Float32Narrowing.Write(stream, t.Data!, dtype, $"{weights.SourceName}: tensor '{t.Name}'"));
        writer.Write(output);
    }

    /// <summary>
    /// The constants the graph's outputs depend on, once per name (graph passes leave the constants they replaced
    /// in the graph, unused). Every one comes from the weight source or a remap of it.
    /// </summary>
    public static IReadOnlyList<Node> Tensors(ModelGraph graph)
    {
        var live = new bool[graph.Nodes.Count];
        var stack = new Stack<Node>(graph.Outputs.Select(o => o.Node));
        while (stack.TryPop(out var n))
        {
            if (live[n.Id]) continue;
            live[n.Id] = true;
            foreach (var i in n.Inputs) stack.Push(i);
        }
        var byName = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var n in graph.Nodes.Where(n => n.Kind == OpKind.Constant && live[n.Id]))
        {
            if (byName.TryGetValue(n.Name, out var seen) && !(ReferenceEquals(seen.Data, n.Data) && seen.Shape.SequenceEqual(n.Shape)))
                throw new InvalidOperationException($"two different constants are named '{n.Name}'");
            byName[n.Name] = n;
        }
        return [.. byName.Values];
    }

    /// <summary>The output must not replace anything the input is read from.</summary>
    static void RefuseInput(string model, string output)
    {
        var target = RealPath(output);
        IEnumerable<string> inputs = File.Exists(model) ? [model]
            : Directory.EnumerateFiles(model).Where(f => Path.GetFileName(f) is "config.json" or "preprocessor_config.json"
                || WeightFiles.DirectoryCandidates.Contains(Path.GetFileName(f)) || f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
                || f.EndsWith(".bin", StringComparison.OrdinalIgnoreCase));
        foreach (var input in inputs)
            if (string.Equals(RealPath(input), target, StringComparison.Ordinal))
                throw new HipVisionException($"{output}: is the input model's {(File.Exists(model) ? "file" : Path.GetFileName(input))}; write the converted model elsewhere");
    }

    /// <summary>The absolute path with the links of the file itself and of its folder resolved.</summary>
    static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full);
        if (dir != null && Directory.Exists(dir))
        {
            var resolvedDir = new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dir;
            full = Path.Combine(resolvedDir, Path.GetFileName(full));
        }
        return File.Exists(full) ? new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
    }
}
