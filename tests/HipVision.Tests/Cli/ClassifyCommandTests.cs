using System.Globalization;
using HipVision.Tests.Imaging;

namespace HipVision.Tests.Cli;

/// <summary><c>hipvision classify</c> through the real command: JSON and plain output, top-k, several images in one call.</summary>
public class ClassifyCommandTests
{
    static string TinyVit => Fixtures.Model("tiny-vit");

    static string[] Images => ImagingFixtures.Stems.Select(ImagingFixtures.ImageFile).ToArray();

    [Test]
    public void Classify_json_topKPerImageSortedWithProbabilities()
    {
        var r = CliRunner.Run(["classify", .. Images, "--model", TinyVit, "--top", "3", "--json", "--backend", "cpu"]);
        CliAssert.Ok(r);
        var results = ClassifyJson.Parse(r.Stdout);
        Assert.That(results.Select(x => x.Image), Is.EqualTo(Images), "one entry per image, in order");
        foreach (var (image, predictions) in results)
        {
            Assert.That(predictions, Has.Count.EqualTo(3), image);
            Assert.That(predictions.Select(p => p.Probability), Is.Ordered.Descending, image);
            Assert.That(predictions.Select(p => p.ClassId), Is.Unique, image);
            foreach (var p in predictions)
            {
                Assert.That(p.Probability, Is.InRange(0.0, 1.0), image);
                Assert.That(p.Label, Is.EqualTo($"LABEL_{p.ClassId}"), "id2label of tiny-vit's config.json");
            }
            Assert.That(predictions.Sum(p => p.Probability), Is.LessThanOrEqualTo(1.0 + 1e-12), image);
        }
    }

    [Test]
    public void Classify_topBeyondLabelCount_listsEveryClassSummingToOne()
    {
        var r = CliRunner.Run("classify", Images[0], "--model", TinyVit, "--top", "50", "--json");
        CliAssert.Ok(r);
        var predictions = ClassifyJson.Parse(r.Stdout).Single().Predictions;
        Assert.That(predictions.Select(p => p.ClassId), Is.EquivalentTo(Enumerable.Range(0, 10)));
        Assert.That(predictions.Sum(p => p.Probability), Is.EqualTo(1.0).Within(1e-9));
    }

    [Test]
    public void Classify_outputRedirected_isPlainTextWithTheJsonResults()
    {
        var plain = CliRunner.Run(["classify", .. Images, "--model", TinyVit]);
        CliAssert.Ok(plain);
        var json = CliRunner.Run(["classify", .. Images, "--model", TinyVit, "--json"]);
        CliAssert.Ok(json);

        Assert.That(plain.Stdout, Does.Not.Contain("\u001b"), "no ANSI escapes when stdout is not a terminal");
        Assert.That(plain.Stdout.Any(c => c is >= '\u2500' and <= '\u257f'), Is.False, "no box-drawing table when stdout is not a terminal");
        // Per image: its path on a line, then one "  probability  class_id  label" line per class.
        var lines = plain.Stdout.TrimEnd('\n').Split('\n');
        var expected = ClassifyJson.Parse(json.Stdout);
        Assert.That(lines, Has.Length.EqualTo(expected.Sum(e => 1 + e.Predictions.Count)), plain.Stdout);
        int line = 0;
        foreach (var (image, predictions) in expected)
        {
            Assert.That(lines[line++], Is.EqualTo(image));
            foreach (var p in predictions)
            {
                var fields = lines[line++].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.That(fields, Has.Length.EqualTo(3), lines[line - 1]);
                Assert.That(double.Parse(fields[0], CultureInfo.InvariantCulture), Is.EqualTo(p.Probability).Within(5e-6), lines[line - 1]);
                Assert.That(int.Parse(fields[1], CultureInfo.InvariantCulture), Is.EqualTo(p.ClassId), lines[line - 1]);
                Assert.That(fields[2], Is.EqualTo(p.Label), lines[line - 1]);
            }
        }
    }
}
