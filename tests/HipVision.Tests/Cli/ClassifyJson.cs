using System.Text.Json;

namespace HipVision.Tests.Cli;

/// <summary>One image of <c>hipvision classify --json</c>: <c>[{"image": ..., "predictions": [{"class_id", "label", "probability"}]}]</c>.</summary>
sealed record ClassifyJson(string Image, IReadOnlyList<Prediction> Predictions)
{
    /// <summary>Parses the whole stdout of <c>classify --json</c>; a missing or mistyped field fails the test.</summary>
    public static IReadOnlyList<ClassifyJson> Parse(string stdout)
    {
        using var doc = JsonDocument.Parse(stdout);
        Assert.That(doc.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Array), stdout);
        return doc.RootElement.EnumerateArray().Select(image => new ClassifyJson(
            image.GetProperty("image").GetString()!,
            image.GetProperty("predictions").EnumerateArray().Select(p => new Prediction(
                p.GetProperty("class_id").GetInt32(), p.GetProperty("label").GetString()!, p.GetProperty("probability").GetDouble())).ToArray())).ToArray();
    }
}
