using HipVision.Backends.Hip;
using HipVision.Interop;
using HipVision.Models;
using HipVision.Tests.Weights;
using HipVision.Weights;

namespace HipVision.Tests.Hip;

/// <summary>
/// The tuning cache's directory (<see cref="TuningCacheDirectory"/>: HIPVISION_TUNING_CACHE, "off", XDG_CACHE_HOME, ~/.cache) and
/// what a HIP plan reports about preparing its dense convolutions. Under the emulator library there is no vendor convolution, so
/// every preparation is <see cref="NativeTuning.None"/> and nothing is written; the native cache itself is tested by CTest
/// (hv_tuning_cache).
/// </summary>
public class TuningCacheTests
{
    static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Test]
    public void Resolve_environmentVariable_overridesEverything()
    {
        var env = Env(("HIPVISION_TUNING_CACHE", "/srv/tuning"), ("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u"));
        Assert.That(TuningCacheDirectory.Resolve(env), Is.EqualTo("/srv/tuning"));
        var relative = Env(("HIPVISION_TUNING_CACHE", "rel/dir"));
        Assert.That(TuningCacheDirectory.Resolve(relative), Is.EqualTo(Path.GetFullPath("rel/dir")), "made absolute against the working directory");
    }

    [TestCase("off")]
    [TestCase("OFF")]
    [TestCase(" off ")]
    public void Resolve_off_disablesTheCache(string value)
    {
        Assert.That(TuningCacheDirectory.Resolve(Env(("HIPVISION_TUNING_CACHE", value), ("HOME", "/home/u"))), Is.Null);
        Assert.That(TuningCacheDirectory.For(value), Is.Null, "an explicit \"off\" to HipBackend.Open");
    }

    [Test]
    public void Resolve_xdgCacheHome_thenHome()
    {
        Assert.That(TuningCacheDirectory.Resolve(Env(("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u"))), Is.EqualTo("/xdg/hipvision/tuning"));
        Assert.That(TuningCacheDirectory.Resolve(Env(("HOME", "/home/u"))), Is.EqualTo("/home/u/.cache/hipvision/tuning"));
        Assert.That(TuningCacheDirectory.Resolve(Env(("XDG_CACHE_HOME", "relative"), ("HOME", "/home/u"))), Is.EqualTo("/home/u/.cache/hipvision/tuning"),
            "a relative XDG_CACHE_HOME is invalid (XDG Base Directory spec) and ignored");
        Assert.That(TuningCacheDirectory.Resolve(Env(("HIPVISION_TUNING_CACHE", ""), ("HOME", "/home/u"))), Is.EqualTo("/home/u/.cache/hipvision/tuning"),
            "an empty override is no override");
    }

    [Test]
    public void For_explicitDirectoryOrDefault()
    {
        Assert.That(TuningCacheDirectory.For("/tmp/x"), Is.EqualTo("/tmp/x"));
        Assert.That(TuningCacheDirectory.For(null), Is.EqualTo(TuningCacheDirectory.Resolve()), "null: this process's environment");
    }

    [Test]
    public void HipPlan_preparesEveryDenseConvolution_andReportsWhatItDid()
    {
        using var dir = new TempDir();
        string cache = Path.Combine(dir.Path, "tuning");
        var model = Fixtures.Model("tiny-efficientnet");
        var config = ModelConfig.Load(Path.Combine(model, "config.json"));
        using var weights = SafeTensorsWeights.Open(model);
        using var hip = HipBackend.Open(warpSize: 32, hostThreads: 2, tuningCacheDirectory: cache);
        Assert.That(hip.TuningCacheDirectory, Is.EqualTo(cache));
        using var plan = (HipExecutionPlan)hip.Compile(config.BuildGraph(weights, 1));
        Assert.That(plan.BuildMilliseconds, Is.GreaterThan(0));
        int prepared = plan.TunedConvolutions.Values.Sum();
        Assert.That(prepared, Is.GreaterThanOrEqualTo(1), "the stem (3x3, stride 2, NCHW pixels) is prepared at build");
        string report = hip.TuningReport;
        TestContext.Out.WriteLine(report);
        int size = ((EfficientNetConfig)config).ImageSize;
        Assert.That(report, Does.Contain($"conv2d|1x3x{size}x{size}x"), "the stem's shape");
        if (hip.IsEmulator)
        {
            Assert.That(plan.Tuning, Is.EqualTo(NativeTuning.None), "no vendor convolution under the emulator");
            Assert.That(plan.TunedConvolutions.Keys, Is.EquivalentTo(new[] { NativeTuning.None }));
            Assert.That(report, Does.Contain(": direct"));
            Assert.That(Directory.Exists(cache), Is.False, "nothing to tune, nothing written");
        }
        else
        {
            TestContext.Out.WriteLine($"{hip.DeviceName}: plan tuning {plan.Tuning}, built in {plan.BuildMilliseconds:F0} ms");
        }
    }
}
