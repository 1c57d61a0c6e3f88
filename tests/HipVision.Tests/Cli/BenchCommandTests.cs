using System.Text.Json;

namespace HipVision.Tests.Cli;

/// <summary><c>hipvision bench</c> through the real command, one timed iteration on tiny-vit.</summary>
public class BenchCommandTests
{
    static string TinyVit => Fixtures.Model("tiny-vit");

    [Test]
    public void Bench_tinyVitOneIterationJson_hasTheRequiredKeys()
    {
        var r = CliRunner.Run("bench", "--model", TinyVit, "--iterations", "1", "--json", "--backend", "cpu");
        CliAssert.Ok(r);
        using var doc = JsonDocument.Parse(r.Stdout);
        var o = doc.RootElement;
        Assert.That(o.ValueKind, Is.EqualTo(JsonValueKind.Object), r.Stdout);
        double median = o.GetProperty("median_ms").GetDouble(), p90 = o.GetProperty("p90_ms").GetDouble();
        Assert.That(median, Is.GreaterThan(0), r.Stdout);
        Assert.That(p90, Is.EqualTo(median), "one iteration: p90 is that iteration");
        Assert.That(o.GetProperty("images_per_s").GetDouble(), Is.EqualTo(1000 / median).Within(0.1).Percent, r.Stdout);
        Assert.That(o.GetProperty("peak_memory_bytes").GetInt64(), Is.GreaterThan(0), r.Stdout);
        Assert.That(o.GetProperty("backend").GetString(), Is.EqualTo("cpu"), r.Stdout);
        Assert.That(o.GetProperty("threads").GetInt32(), Is.GreaterThanOrEqualTo(1), r.Stdout);
        Assert.That(o.GetProperty("iterations").GetInt32(), Is.EqualTo(1), r.Stdout);
        Assert.That(o.GetProperty("batch").GetInt32(), Is.EqualTo(1), r.Stdout);
        Assert.That(o.GetProperty("launches_per_image").ValueKind, Is.EqualTo(JsonValueKind.Null), "no kernel launches on the CPU backend");
        Assert.That(o.GetProperty("host_overhead_ms").ValueKind, Is.EqualTo(JsonValueKind.Null), r.Stdout);
        Assert.That(o.GetProperty("plan_build_ms").ValueKind, Is.EqualTo(JsonValueKind.Null), "no HIP plan");
        Assert.That(o.GetProperty("tuning").GetString(), Is.EqualTo("none"), "nothing to tune on the CPU");
        Assert.That(o.GetProperty("tuning_cache_dir").ValueKind, Is.EqualTo(JsonValueKind.Null), r.Stdout);
    }

    [Test]
    public void Bench_syntheticWeightsBatch2_printsPlainTextReport()
    {
        var r = CliRunner.Run("bench", "--model", TinyVit, "--synthetic", "7", "--batch", "2", "--iterations", "1", "--threads", "1");
        CliAssert.Ok(r);
        var rows = r.Stdout.TrimEnd('\n').Split('\n').ToDictionary(l => l[..18].TrimEnd(), l => l[18..].Trim());
        Assert.That(rows["batch"], Is.EqualTo("2"), r.Stdout);
        Assert.That(rows["backend"], Is.EqualTo("cpu, 1 threads"), r.Stdout);
        Assert.That(rows["median"], Does.EndWith(" ms"), r.Stdout);
        Assert.That(rows["throughput"], Does.EndWith(" images/s"), r.Stdout);
    }
}
