using HipVision.Graph;
using HipVision.Models;
using HipVision.Models.Inspection;

namespace HipVision.Tests.Inspect;

/// <summary>MAC, parameter and byte counts of <see cref="ModelInspector"/> against hand computation, and the lessons' arithmetic.</summary>
public class ModelInspectorTests
{
    static Node Zeros(GraphBuilder g, string name, params int[] shape) => g.Constant(name, shape, new float[ShapeMath.Count(shape)]);

    /// <summary>x [1,4,8,8] → conv 3×3 4→6 (pad 1) → depthwise 3×3 (6 groups) → 1×1 conv 6→8 → tokens [1,64,8] → linear 8→12 (+ its bias again) → attention, 2 heads.</summary>
    static ModelGraph TinyGraph()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", 1, 4, 8, 8);
        var h = g.Conv2d(x, Zeros(g, "conv.weight", 6, 4, 3, 3), Zeros(g, "conv.bias", 6), padding: Padding2d.Symmetric(1), name: "conv");
        h = g.Conv2d(h, Zeros(g, "dw.weight", 6, 1, 3, 3), null, padding: Padding2d.Symmetric(1), groups: 6, name: "dw");
        h = g.Relu6(g.BatchNorm(h, Zeros(g, "bn.weight", 6), Zeros(g, "bn.bias", 6), Zeros(g, "bn.running_mean", 6), Zeros(g, "bn.running_var", 6), 1e-3, "bn"));
        h = g.Conv2d(h, Zeros(g, "pw.weight", 8, 6, 1, 1), null, name: "pw");
        var tokens = g.Transpose(g.Reshape(h, 1, 8, 64), 0, 2, 1);
        var bias = Zeros(g, "qkv.bias", 12);
        var qkv = g.Add(g.Linear(tokens, Zeros(g, "qkv.weight", 12, 8), bias, "qkv"), bias);
        g.Output("y", g.Attention(qkv, 2, name: "attention"));
        return g.Build();
    }

    [Test]
    public void Analyze_tinyGraph_matchesHandComputedMacs()
    {
        var i = ModelInspector.Analyze(TinyGraph());
        long Macs(string name) => i.Layers.Single(l => l.Name == name && l.Macs > 0).Macs;
        Assert.That(Macs("conv"), Is.EqualTo(6 * 8 * 8 * 4 * 3 * 3), "conv: output elements·(in/groups)·kh·kw = 384·4·9");
        Assert.That(Macs("dw"), Is.EqualTo(6 * 8 * 8 * 1 * 3 * 3), "depthwise: 384·1·9");
        Assert.That(Macs("pw"), Is.EqualTo(8 * 8 * 8 * 6), "1×1: 512·6");
        Assert.That(Macs("qkv"), Is.EqualTo(64 * 8 * 12), "linear: rows·in·out");
        Assert.That(Macs("attention"), Is.EqualTo(2 * 1 * 2 * 64 * 64 * 2), "attention: 2·B·H·T·T·d with d = 4/2");
        Assert.That(Macs("bn"), Is.EqualTo(6 * 8 * 8), "BatchNorm: x·scale + shift, one per element");
        Assert.That(i.Macs, Is.EqualTo(13_824 + 3_456 + 384 + 3_072 + 6_144 + 32_768));
        InspectAssert.ColumnsAddUp(i);
    }

    [Test]
    public void Analyze_tinyGraph_countsEachConstantOnceAndSplitsStatistics()
    {
        var i = ModelInspector.Analyze(TinyGraph());
        // conv 216 + 6, dw 54, bn 4·6, pw 48, qkv 96 + 12 (its bias read twice, counted once at the Linear)
        Assert.That(i.Parameters, Is.EqualTo(216 + 6 + 54 + 24 + 48 + 96 + 12));
        Assert.That(i.Statistics, Is.EqualTo(12), "running_mean and running_var");
        Assert.That(i.LearnableParameters, Is.EqualTo(i.Parameters - 12));
        Assert.That(i.Layers.Single(l => l.Name == "qkv" && l.Op == OpKind.Linear).Parameters, Is.EqualTo(108));
        Assert.That(i.Layers.Single(l => l.Op == OpKind.BatchNorm).Parameters, Is.EqualTo(24), "BatchNorm reads gamma, beta, mean and var");
        Assert.That(i.Layers.Single(l => l.Name == "conv").Bytes, Is.EqualTo((256 + 216 + 6 + 384) * 4), "input + weight + bias + output, fp32");
        Assert.That(i.Layers.Single(l => l.Op == OpKind.Reshape).Bytes, Is.Zero, "a reshape is a view");
    }

    [Test]
    public void FindPairs_depthwiseThroughBatchNormThenPointwise_isOneSeparablePair()
    {
        var pairs = MobileNetLesson.FindPairs(TinyGraph(), 1);
        Assert.That(pairs, Has.Count.EqualTo(1));
        var p = pairs[0];
        Assert.That((p.Layer, p.Pointwise, p.Kernel, p.InChannels, p.OutChannels, p.FeatureSize), Is.EqualTo(("dw", "pw", 3, 6, 8, 8)));
        Assert.That(p.Depthwise, Is.EqualTo(3 * 3 * 6 * 8 * 8), "D_K·D_K·M·D_F·D_F");
        Assert.That(p.Pointwise1x1, Is.EqualTo(6 * 8 * 8 * 8), "M·N·D_F·D_F");
        Assert.That(p.Standard, Is.EqualTo(3 * 3 * 6 * 8 * 8 * 8), "D_K·D_K·M·N·D_F·D_F");
        Assert.That((double)p.Separable / p.Standard, Is.EqualTo(1.0 / 8 + 1.0 / 9).Within(1e-12), "1/N + 1/D_K²");
        var i = ModelInspector.Analyze(TinyGraph());
        Assert.That(p.Separable, Is.EqualTo(i.Layers.Where(l => l.Name is "dw" or "pw" && l.Op == OpKind.Conv2d).Sum(l => l.Macs)), "the formula is what the graph's convolutions cost");
    }

    [Test]
    public void TransformerLesson_tinyVit_attentionPlusMlpIsTotalMinusRest()
    {
        var i = ModelInspector.Inspect(ModelConfig.Load(Path.Combine(Fixtures.Model("tiny-vit"), "config.json")));
        var lesson = i.Lesson as TransformerLesson;
        Assert.That(lesson, Is.Not.Null);
        Assert.That(lesson!.Layers, Has.Count.EqualTo(2));
        Assert.That(lesson.AttentionMacs + lesson.MlpMacs, Is.EqualTo(i.Macs - lesson.RestMacs));
        long outside = i.Layers.Where(l => !l.Name.StartsWith("vit.encoder.layer.", StringComparison.Ordinal)).Sum(l => l.Macs);
        Assert.That(lesson.RestMacs, Is.EqualTo(outside), "rest = patch embedding + classifier");
        Assert.That(lesson.RestMacs, Is.GreaterThan(0));
    }

    [Test]
    public void TransformerLesson_vitBase16_splitsEachLayerAsTheFormulas()
    {
        var lesson = (TransformerLesson)ModelInspector.Inspect(VitConfig.VitBasePatch16_224).Lesson!;
        const long t = 197, d = 768, mlp = 3072;
        Assert.That(lesson.Layers, Has.Count.EqualTo(12));
        foreach (var l in lesson.Layers)
        {
            Assert.That(l.QkvProjection, Is.EqualTo(t * d * 3 * d), l.Layer);
            Assert.That(l.Core, Is.EqualTo(2 * t * t * d), l.Layer);
            Assert.That(l.OutputProjection, Is.EqualTo(t * d * d), l.Layer);
            Assert.That(l.Mlp, Is.EqualTo(2 * t * d * mlp), l.Layer);
        }
        Assert.That(lesson.RestMacs, Is.EqualTo(196L * 768 * 3 * 16 * 16 + 768 * 1000), "patch embedding + classifier");
        Assert.That(lesson.AttentionMacs + lesson.MlpMacs + lesson.RestMacs, Is.EqualTo(lesson.TotalMacs));
    }

    [Test]
    public void Inspect_batch4_scalesMacsAndKeepsParameters()
    {
        var config = ModelConfig.Load(Path.Combine(Fixtures.Model("tiny-vit"), "config.json"));
        ModelInspection one = ModelInspector.Inspect(config), four = ModelInspector.Inspect(config, 4);
        Assert.That(four.Macs, Is.EqualTo(4 * one.Macs));
        Assert.That(four.Parameters, Is.EqualTo(one.Parameters));
    }

    [TestCase(32, 2.0, 64)]
    [TestCase(1280, 2.0, 2560)]
    [TestCase(16, 0.25, 8)]
    [TestCase(40, 1.1, 48)]
    [TestCase(112, 1.4, 160)]
    public void RoundFilters_matchesHuggingFace(int channels, double width, int expected) =>
        Assert.That(EfficientNetLesson.RoundFilters(channels, width, 8), Is.EqualTo(expected));
}
