using System.Globalization;
using HipVision.Tests.Imaging;

namespace HipVision.Tests.Cli;

/// <summary>
/// samples/ClassifyImage, the public API sample, built and run the way its header tells a reader to:
/// <c>dotnet run --project samples/ClassifyImage -- MODEL_DIR IMAGE...</c>. Its top-5 must be what
/// <c>hipvision classify</c> reports for the same images.
/// </summary>
public class SampleProgramTests
{
    /// <summary>Room for a cold build of the sample on a busy two-core machine; warm it takes about 2 s.</summary>
    static readonly TimeSpan BuildAndRun = TimeSpan.FromSeconds(180);

    [Test]
    public void ClassifyImage_tinyVitTwoImages_printsTheTop5ThatClassifyReports()
    {
        var model = Fixtures.Model("tiny-vit");
        string[] images = [ImagingFixtures.ImageFile("chelsea"), ImagingFixtures.ImageFile("rocket")];
        var (configuration, _) = CliRunner.BuildFolders;

        var sample = CliRunner.RunProcess(CliRunner.DotnetHost,
            ["run", "--project", Path.Combine("samples", "ClassifyImage"), "-c", configuration, "--", model, .. images],
            Fixtures.RepoRoot, BuildAndRun);
        Assert.That(sample.ExitCode, Is.EqualTo(0), sample.ToString());
        var classify = CliRunner.Run(["classify", .. images, "--model", model, "--json"]);
        CliAssert.Ok(classify);

        // "<model>: vit, 10 labels, cpu backend", then per image its path and "  0.5891  LABEL_9  (class 9)" lines.
        var lines = sample.Stdout.TrimEnd('\n').Split('\n');
        Assert.That(lines[0], Is.EqualTo($"{model}: vit, 10 labels, cpu backend"), sample.ToString());
        var expected = ClassifyJson.Parse(classify.Stdout);
        Assert.That(lines, Has.Length.EqualTo(1 + expected.Sum(e => 1 + e.Predictions.Count)), sample.ToString());
        int line = 1;
        foreach (var (image, predictions) in expected)
        {
            Assert.That(predictions, Has.Count.EqualTo(5));
            Assert.That(lines[line++], Is.EqualTo(image));
            foreach (var p in predictions)
            {
                var text = lines[line++];
                var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.That(double.Parse(fields[0], CultureInfo.InvariantCulture), Is.EqualTo(p.Probability).Within(5e-5), text);
                Assert.That(text, Does.EndWith($"  {p.Label}  (class {p.ClassId})"));
            }
        }
    }
}
