using System.Text;
using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary>The two <see cref="IWeightSource"/> implementations: what model code sees.</summary>
public class WeightSourceTests
{
    [Test]
    public void SafeTensorsWeights_tinyVitDirectory_getsTensorsWithExpectedShape()
    {
        var dir = Fixtures.Model("tiny-vit");
        using IWeightSource weights = SafeTensorsWeights.Open(dir);
        Assert.That(weights.SourceName, Is.EqualTo(Path.Combine(dir, "model.safetensors")), "messages name the file, not the folder");
        Assert.That(weights.Names, Has.Member("vit.embeddings.cls_token"));
        Assert.That(weights.Contains("classifier.weight"), Is.True);
        var w = weights.Get("classifier.weight", [10, 64]);
        Assert.That(w, Is.EqualTo(HvSynth.Generate("classifier.weight", [10, 64], 1)));
    }

    [Test]
    public void SafeTensorsWeights_missingTensor_namesSourceAndTensor()
    {
        var path = Path.Combine(Fixtures.Model("tiny-vit"), "model.safetensors");
        using var weights = SafeTensorsWeights.Open(path);
        var e = Assert.Throws<HipVisionException>(() => weights.Get("vit.pooler.dense.weight", [64, 64]));
        Assert.That(e!.Message, Is.EqualTo($"{path}: tensor 'vit.pooler.dense.weight' missing"));
    }

    [Test]
    public void SafeTensorsWeights_wrongShape_namesSourceTensorAndBothShapes()
    {
        var path = Path.Combine(Fixtures.Model("tiny-vit"), "model.safetensors");
        using var weights = SafeTensorsWeights.Open(path);
        var e = Assert.Throws<HipVisionException>(() => weights.Get("classifier.weight", [1000, 768]));
        Assert.That(e!.Message, Is.EqualTo($"{path}: tensor 'classifier.weight' has shape [10, 64], the config expects [1000, 768]"));
    }

    [Test]
    public void SafeTensorsWeights_directoryWithoutWeights_namesTheDirectory()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<HipVisionException>(() => SafeTensorsWeights.Open(tmp.Path));
        Assert.That(e!.Message, Does.StartWith(tmp.Path + ": directory holds neither"));
    }

    [Test]
    public void SafeTensorsWeights_shardedIndex_readsEveryShard()
    {
        using var tmp = new TempDir();
        new SafeTensorsWriter().Add("a.weight", [1f, 2f], [2]).Write(tmp.File("model-00001-of-00002.safetensors"));
        new SafeTensorsWriter().Add("b.bias", [3f], [1]).Write(tmp.File("model-00002-of-00002.safetensors"));
        File.WriteAllText(tmp.File(SafeTensorsWeights.IndexFileName), """
            {"metadata": {"total_size": 12},
             "weight_map": {"a.weight": "model-00001-of-00002.safetensors", "b.bias": "model-00002-of-00002.safetensors"}}
            """, Encoding.UTF8);
        using var weights = SafeTensorsWeights.Open(tmp.Path);
        Assert.That(weights.Files, Has.Count.EqualTo(2));
        Assert.That(weights.Names.Order(), Is.EqualTo(new[] { "a.weight", "b.bias" }));
        Assert.That(weights.Get("a.weight", [2]), Is.EqualTo(new[] { 1f, 2f }));
        Assert.That(weights.Get("b.bias", [1]), Is.EqualTo(new[] { 3f }));
    }

    [Test]
    public void SafeTensorsWeights_indexPointsToWrongShard_namesIndexAndTensor()
    {
        using var tmp = new TempDir();
        new SafeTensorsWriter().Add("a.weight", [1f], [1]).Write(tmp.File("s1.safetensors"));
        var index = tmp.File(SafeTensorsWeights.IndexFileName);
        File.WriteAllText(index, """{"weight_map": {"b.weight": "s1.safetensors"}}""");
        var e = Assert.Throws<HipVisionException>(() => SafeTensorsWeights.Open(index));
        Assert.That(e!.Message, Does.StartWith(index).And.Contain("tensor 'b.weight'"));
    }

    [Test]
    public void SafeTensorsWeights_indexEscapesTheDirectory_isRefused()
    {
        using var tmp = new TempDir();
        var index = tmp.File(SafeTensorsWeights.IndexFileName);
        File.WriteAllText(index, """{"weight_map": {"a": "../elsewhere.safetensors"}}""");
        var e = Assert.Throws<HipVisionException>(() => SafeTensorsWeights.Open(index));
        Assert.That(e!.Message, Does.StartWith(index).And.Contain("tensor 'a'").And.Contain("not a file name"));
    }

    [Test]
    public void SyntheticWeights_anyName_equalsGeneratorAndFixtureFile()
    {
        using IWeightSource synthetic = new SyntheticWeights(1);
        Assert.That(synthetic.SourceName, Is.EqualTo("hv-synth-v2 seed 1"));
        Assert.That(synthetic.Contains("anything.at.all"), Is.True);
        Assert.That(synthetic.Names, Is.Empty);
        using var file = SafeTensorsWeights.Open(Fixtures.Model("tiny-beit"));
        foreach (var name in file.Names.Where(n => !n.EndsWith("num_batches_tracked", StringComparison.Ordinal)))
        {
            var shape = file.Files[0].Info(name).Shape;
            Assert.That(synthetic.Get(name, shape), Is.EqualTo(file.Get(name, shape)), name);
        }
    }
}
