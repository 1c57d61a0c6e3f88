using System.Text.Json;
using HipVision.Tests.Cli;

namespace HipVision.Tests.Inspect;

/// <summary><c>hipvision inspect</c> through the real command.</summary>
public class InspectCommandTests
{
    static string TinyVit => Fixtures.Model("tiny-vit");

    [Test]
    public void Inspect_tinyVitJson_hasTheKeysAndLayersSumToTotals()
    {
        var r = CliRunner.Run("inspect", "--model", TinyVit, "--json");
        CliAssert.Ok(r);
        using var doc = JsonDocument.Parse(r.Stdout);
        var o = doc.RootElement;
        foreach (var key in new[] { "parameters", "learnable_parameters", "statistics", "macs", "bytes", "layers", "lesson" })
            Assert.That(o.TryGetProperty(key, out _), Is.True, $"key '{key}'\n{r}");
        var layers = o.GetProperty("layers").EnumerateArray().ToArray();
        Assert.That(layers, Is.Not.Empty);
        foreach (var l in layers)
            foreach (var key in new[] { "name", "op", "shape", "parameters", "macs", "bytes" })
                Assert.That(l.TryGetProperty(key, out _), Is.True, $"layer key '{key}'");
        foreach (var total in new[] { "parameters", "statistics", "macs", "bytes" })
            Assert.That(layers.Sum(l => l.GetProperty(total).GetInt64()), Is.EqualTo(o.GetProperty(total).GetInt64()), $"sum of layers' {total}");
        Assert.That(o.GetProperty("parameters").GetInt64(), Is.EqualTo(81_226), "fixture.json parameter_count of tiny-vit");
        Assert.That(o.GetProperty("learnable_parameters").GetInt64() + o.GetProperty("statistics").GetInt64(), Is.EqualTo(o.GetProperty("parameters").GetInt64()));
        var lesson = o.GetProperty("lesson");
        Assert.That(lesson.GetProperty("family").GetString(), Is.EqualTo("transformer"));
        Assert.That(lesson.GetProperty("attention_macs").GetInt64() + lesson.GetProperty("mlp_macs").GetInt64() + lesson.GetProperty("rest_macs").GetInt64(),
            Is.EqualTo(o.GetProperty("macs").GetInt64()));
    }

    [Test]
    public void Inspect_configJsonAlone_isEnough()
    {
        var dir = Directory.CreateTempSubdirectory("hv-inspect-");
        try
        {
            File.Copy(Path.Combine(TinyVit, "config.json"), Path.Combine(dir.FullName, "config.json"));
            var r = CliRunner.Run("inspect", "--model", dir.FullName, "--json");
            CliAssert.Ok(r);
            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.That(doc.RootElement.GetProperty("parameters").GetInt64(), Is.EqualTo(81_226));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Test]
    public void Inspect_tinyVitPlain_printsEveryLayerTotalsAndTheLesson()
    {
        var r = CliRunner.Run("inspect", "--model", TinyVit, "--batch", "2");
        CliAssert.Ok(r);
        Assert.That(r.Stdout, Does.StartWith("#"), r.ToString());
        Assert.That(r.Stdout, Does.Contain("vit.encoder.layer.1.output.dense"), r.ToString());
        Assert.That(r.Stdout, Does.Match(@"\n +total +81,226 +2\.77 M "), "the totals row\n" + r);
        Assert.That(r.Stdout, Does.Contain("parameters   81,226 = 81,226 learnable + 0 BatchNorm running statistics"), r.ToString());
        Assert.That(r.Stdout, Does.Contain("batch 2"), r.ToString());
        Assert.That(r.Stdout, Does.Contain("attention vs MLP"), r.ToString());
        Assert.That(r.Stdout, Does.Not.Contain("\u001b["), "no terminal escapes when redirected");
    }

    [Test]
    public void Inspect_bothModelAndArch_isAUsageError() =>
        CliAssert.UsageError(CliRunner.Run("inspect", "--model", TinyVit, "--arch", "vit-base-patch16-224"), "exactly one of --model and --arch");

    [Test]
    public void Inspect_unknownArch_isARuntimeErrorListingPresets() =>
        CliAssert.RuntimeError(CliRunner.Run("inspect", "--arch", "no-such-model"), "no-such-model", "vit-base-patch16-224");
}
