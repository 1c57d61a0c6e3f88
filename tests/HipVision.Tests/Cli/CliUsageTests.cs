using HipVision.Tests.Imaging;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Cli;

/// <summary>Command lines that make no sense: exit code 2, a message saying what is wrong, and nothing written.</summary>
public class CliUsageTests
{
    TempDir _tmp = null!;

    [SetUp]
    public void SetUp() => _tmp = new TempDir();

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    // {model}, {image}, {input} and {out} stand for tiny-vit, chelsea.png, tiny-vit's pixel_values.npy and a fresh output path.
    static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, string expected, params string[] args) => new TestCaseData(args, expected).SetName($"Usage_{name}_exitsWith2");
        yield return Case("noCommand", "Required command was not provided");
        yield return Case("unknownCommand", "'frobnicate'", "frobnicate");
        yield return Case("runUnknownOption", "'--bogus'", "run", "--model", "{model}", "--input", "{input}", "--output", "{out}", "--bogus");
        yield return Case("classifyUnknownOption", "'--bogus'", "classify", "{image}", "--model", "{model}", "--bogus");
        yield return Case("runMissingInput", "'--input' is required", "run", "--model", "{model}", "--output", "{out}");
        yield return Case("runMissingOutput", "'--output' is required", "run", "--model", "{model}", "--input", "{input}");
        yield return Case("classifyMissingModel", "'--model' is required", "classify", "{image}");
        yield return Case("classifyNoImage", "Required argument missing for command: 'classify'", "classify", "--model", "{model}");
        yield return Case("preprocessMissingOutput", "'--output' is required", "preprocess", "{image}", "--model", "{model}");
        yield return Case("synthMissingArch", "'--arch' is required", "synth", "--output", "{out}");
        yield return Case("benchModelAndArch", "exactly one of --model and --arch", "bench", "--model", "{model}", "--arch", "vit-base-patch16-224");
        yield return Case("benchNeitherModelNorArch", "exactly one of --model and --arch", "bench");
        yield return Case("benchZeroIterations", "--iterations", "bench", "--model", "{model}", "--iterations", "0");
        yield return Case("classifyTopZero", "--top", "classify", "{image}", "--model", "{model}", "--top", "0");
        yield return Case("runUnknownBackend", "unknown backend 'tpu'", "run", "--model", "{model}", "--input", "{input}", "--output", "{out}", "--backend", "tpu");
        yield return Case("runNegativeThreads", "--threads", "run", "--model", "{model}", "--input", "{input}", "--output", "{out}", "--threads", "-1");
        yield return Case("benchBatchNotANumber", "'many'", "bench", "--model", "{model}", "--batch", "many");
    }

    [TestCaseSource(nameof(Cases))]
    public void Usage(string[] args, string expected)
    {
        var output = _tmp.File("out.npy");
        var tinyVit = Fixtures.Model("tiny-vit");
        var resolved = args.Select(a => a
            .Replace("{model}", tinyVit)
            .Replace("{image}", ImagingFixtures.ImageFile("chelsea"))
            .Replace("{input}", Path.Combine(tinyVit, "pixel_values.npy"))
            .Replace("{out}", output)).ToArray();
        CliAssert.UsageError(CliRunner.Run(resolved), expected);
        CliAssert.NothingWritten(output);
    }
}
