using HipVision.Models;
using HipVision.Models.Inspection;

namespace HipVision.Tests.Inspect;

/// <summary>
/// Inspection totals of the full-size presets: parameters within 1% of fixture.json's parameter_count (every float
/// tensor of the HF state dict, BatchNorm running statistics included) and MACs within 3% of the published figure
/// (one multiply-add is one MAC). Presets of families not merged yet are ignored, by name, until they exist.
/// </summary>
public class InspectPresetTests
{
    [Test]
    public void Inspect_vitBasePatch16Preset_matchesFixtureParametersAndPublishedMacs() =>
        AssertPreset("google/vit-base-patch16-224", 86_567_656, 17.58e9);

    [Test]
    public void Inspect_beitBasePatch16Preset_matchesFixtureParametersAndPublishedMacs() =>
        AssertPreset("microsoft/beit-base-patch16-224", 86_530_984, 17.58e9);

    [Test]
    public void Inspect_mobilenetV1Preset_matchesFixtureParametersAndPublishedMacs() =>
        AssertPreset("google/mobilenet_v1_1.0_224", 4_254_889, 0.58e9);

    [Test]
    public void Inspect_efficientnetB0Preset_matchesPublishedMacs() =>
        AssertPresetMacs("google/efficientnet-b0", 0.40e9);

    [Test]
    public void Inspect_efficientnetB7Preset_matchesFixtureParametersAndPublishedMacsAt600() =>
        AssertPreset("google/efficientnet-b7", 66_658_680, 38.3e9);

    [Test]
    public void Inspect_fixtureParameterCounts_areTheOnesTheseTestsUse()
    {
        foreach (var (dir, count) in new[] { ("vit-base-patch16-224", 86_567_656L), ("beit-base-patch16-224", 86_530_984L), ("mobilenet_v1_1.0_224", 4_254_889L), ("efficientnet-b7", 66_658_680L) })
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Model(dir), "fixture.json")));
            Assert.That(doc.RootElement.GetProperty("parameter_count").GetInt64(), Is.EqualTo(count), dir);
        }
    }

    /// <summary>
    /// The preset's inspection (batch 1): parameters within 1% of <paramref name="fixtureParameters"/>, MACs within 3%
    /// of <paramref name="publishedMacs"/>, learnable + statistics = parameters, and every total the sum of its column.
    /// Ignored while the preset does not exist (its family not merged).
    /// </summary>
    public static ModelInspection AssertPreset(string arch, long fixtureParameters, double publishedMacs)
    {
        var i = AssertPresetMacs(arch, publishedMacs);
        Assert.That(i.Parameters, Is.EqualTo(fixtureParameters).Within(1).Percent, $"{arch}: parameters (fixture.json parameter_count {fixtureParameters:N0})");
        Assert.That(i.LearnableParameters + i.Statistics, Is.EqualTo(i.Parameters), $"{arch}: learnable + statistics");
        return i;
    }

    /// <summary>MACs within 3% of <paramref name="publishedMacs"/>, and the columns add up (see <see cref="AssertPreset"/>).</summary>
    public static ModelInspection AssertPresetMacs(string arch, double publishedMacs)
    {
        var config = ModelPresets.Get(arch);
        var i = ModelInspector.Inspect(config);
        TestContext.Out.WriteLine($"{arch}: {i.Parameters:N0} parameters ({i.LearnableParameters:N0} learnable + {i.Statistics:N0} statistics), {i.Macs:N0} MACs, {i.Bytes:N0} bytes");
        Assert.That((double)i.Macs, Is.EqualTo(publishedMacs).Within(3).Percent, $"{arch}: MACs against the published {publishedMacs / 1e9:F2} G");
        InspectAssert.ColumnsAddUp(i);
        Assert.That(i.Lesson, Is.Not.Null, $"{arch}: its family's lesson");
        return i;
    }
}
