using HipVision.Conversion;
using HipVision.Graph;
using HipVision.Models;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Conversion;

/// <summary>
/// Loading a converted file does no conversion work, shown on the graph rather than by a clock: the graph holds no
/// BatchNorm (so the backend's folding pass returns it untouched), every constant is the very array the file served
/// (nothing fused, gathered or folded from it), and the file's tensors are read once each, no Hugging Face name asked for.
/// </summary>
public class PreparedLoadTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    static IEnumerable<string> TinyModels => ConvertedModels.TinyModels;

    [TestCaseSource(nameof(TinyModels))]
    public void ConvertedFile_graph_readsEngineTensorsAsTheyAreAndLeavesNothingToFold(string name)
    {
        var file = _tmp.File("model.safetensors");
        ModelConverter.Convert(Fixtures.Model(name), file, Precision.Fp32);
        using var files = ModelFiles.Open(file);
        using var spy = new SpyWeights(files.Weights);

        var graph = files.Config.BuildGraph(spy, 2, hiddenStates: true);

        Assert.That(graph.Nodes.Where(n => n.Kind == OpKind.BatchNorm), Is.Empty, "no BatchNorm left to fold");
        Assert.That(BatchNormFolding.Apply(graph), Is.SameAs(graph), "the backend's folding pass has nothing to do");
        foreach (var constant in graph.Nodes.Where(n => n.Kind == OpKind.Constant))
            Assert.That(constant.Data, Is.SameAs(spy.Served[constant.Name]), $"constant {constant.Name} is the array the file served, unchanged");
        Assert.That(spy.Requested, Is.EquivalentTo(files.Weights.Names), "every tensor of the file read exactly once, nothing else");
        Assert.That(spy.Requested, Has.None.Matches<string>(HuggingFaceOnly), "no Hugging Face-layout tensor asked for");
    }

    /// <summary>The same model from its directory does have the work to do, so the test above can tell the difference.</summary>
    [TestCase("tiny-mobilenet_v1")]
    [TestCase("tiny-efficientnet")]
    public void HuggingFaceDirectory_graph_hasBatchNormsTheBackendFolds(string name)
    {
        using var files = ModelFiles.Open(Fixtures.Model(name));
        var graph = files.Config.BuildGraph(files.Weights, 1);
        Assert.That(graph.Nodes.Count(n => n.Kind == OpKind.BatchNorm), Is.GreaterThan(0));
        Assert.That(BatchNormFolding.Apply(graph), Is.Not.SameAs(graph));
    }

    [TestCase("tiny-vit")]
    [TestCase("tiny-beit")]
    public void HuggingFaceDirectory_graph_readsSeparateQueryKeyValue(string name)
    {
        using var files = ModelFiles.Open(Fixtures.Model(name));
        using var spy = new SpyWeights(files.Weights);
        files.Config.BuildGraph(spy, 1);
        Assert.That(spy.Requested, Has.Some.Matches<string>(HuggingFaceOnly));
    }

    static bool HuggingFaceOnly(string name) =>
        name.EndsWith(".query.weight", StringComparison.Ordinal) || name.EndsWith(".key.weight", StringComparison.Ordinal)
        || name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal)
        || name.EndsWith("relative_position_bias_table", StringComparison.Ordinal) || name.EndsWith("mask_token", StringComparison.Ordinal);

    /// <summary>Records what a graph asks its weight source for and what it got.</summary>
    sealed class SpyWeights(IWeightSource inner) : IWeightSource
    {
        public List<string> Requested { get; } = [];
        public Dictionary<string, float[]> Served { get; } = [];
        public string SourceName => inner.SourceName;
        public IEnumerable<string> Names => inner.Names;
        public bool Prepared => inner.Prepared;
        public bool Contains(string name) => inner.Contains(name);
        public float[] Get(string name, int[] expectedShape)
        {
            var data = inner.Get(name, expectedShape);
            Requested.Add(name);
            Served[name] = data;
            return data;
        }
        public void Dispose() { }
    }
}
