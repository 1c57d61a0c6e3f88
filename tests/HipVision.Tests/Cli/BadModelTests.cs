using System.Text.Json.Nodes;
using HipVision.Tests.Weights;

namespace HipVision.Tests.Cli;

/// <summary>
/// Damaged model directories (copies of tiny-vit, broken on purpose) through the real command: exit code 1,
/// one stderr line naming the file (and the tensor where there is one), and no --output file left behind.
/// </summary>
public class BadModelTests
{
    TempDir _tmp = null!;
    string _model = null!, _output = null!;

    [SetUp]
    public void SetUp()
    {
        _tmp = new TempDir();
        _model = BadFiles.CopyModel(Fixtures.Model("tiny-vit"), Path.Combine(_tmp.Path, "tiny-vit"));
        _output = _tmp.File("logits.npy");
    }

    [TearDown]
    public void TearDown() => _tmp.Dispose();

    string Weights => Path.Combine(_model, "model.safetensors");
    string Config => Path.Combine(_model, "config.json");

    /// <summary><c>hipvision run</c> on the damaged copy; asserts the error contract and returns the error line.</summary>
    string RunFails(params string[] mentions)
    {
        var r = CliRunner.Run("run", "--model", _model, "--input", Path.Combine(Fixtures.Model("tiny-vit"), "pixel_values.npy"), "--output", _output);
        var line = CliAssert.RuntimeError(r, mentions);
        CliAssert.NothingWritten(_output);
        return line;
    }

    [Test]
    public void Run_modelDirectoryMissing_namesIt()
    {
        Directory.Delete(_model, recursive: true);
        RunFails(_model, "no such model directory");
    }

    [Test]
    public void Run_configMissing_namesIt()
    {
        File.Delete(Config);
        RunFails(Config, "missing");
    }

    [Test]
    public void Run_safetensorsMissing_namesTheDirectoryAndTheFileItLacks()
    {
        File.Delete(Weights);
        RunFails(_model, "model.safetensors");
    }

    [Test]
    public void Run_safetensorsEmpty_namesTheFile()
    {
        File.WriteAllBytes(Weights, []);
        RunFails(Weights, "0 bytes", "too short");
    }

    [TestCase("run")]
    [TestCase("classify")]
    [TestCase("bench")]
    public void AnyCommand_safetensorsTruncated_namesTheFileAndTheFirstTensorCut(string command)
    {
        BadFiles.Truncate(Weights, new FileInfo(Weights).Length / 2);
        var r = command switch
        {
            "run" => CliRunner.Run("run", "--model", _model, "--input", Path.Combine(Fixtures.Model("tiny-vit"), "pixel_values.npy"), "--output", _output),
            "classify" => CliRunner.Run("classify", Imaging.ImagingFixtures.ImageFile("chelsea"), "--model", _model),
            _ => CliRunner.Run("bench", "--model", _model, "--iterations", "1"),
        };
        CliAssert.RuntimeError(r, Weights + ": tensor '", "run past the end of the data");
        CliAssert.NothingWritten(_output);
    }

    [Test]
    public void Run_safetensorsTruncatedInsideTheHeader_namesTheFile()
    {
        BadFiles.Truncate(Weights, 100);
        RunFails(Weights, "runs past the end of the file");
    }

    [Test]
    public void Run_headerLengthBeyondTheFile_namesTheFile()
    {
        long size = new FileInfo(Weights).Length;
        BadFiles.SetSafeTensorsHeaderLength(Weights, (ulong)size + 1000);
        RunFails(Weights, $"header length {size + 1000} runs past the end of the file ({size} bytes)");
    }

    [Test]
    public void Run_headerNotJson_namesTheFile()
    {
        using (var file = File.OpenWrite(Weights)) { file.Position = 8; file.WriteByte((byte)'['); }
        RunFails(Weights, "header is not valid JSON");
    }

    [Test]
    public void Run_overlappingOffsets_namesBothTensors()
    {
        string first = "", second = "";
        BadFiles.EditSafeTensorsHeader(Weights, header =>
        {
            // The tensor stored first and the one after it; the second is moved to start 4 bytes into the first.
            var byOffset = header.Where(p => p.Key != "__metadata__").OrderBy(p => BadFiles.Offsets(header, p.Key).Begin).Select(p => p.Key).ToArray();
            (first, second) = (byOffset[0], byOffset[1]);
            var (begin, end) = BadFiles.Offsets(header, first);
            var (b2, e2) = BadFiles.Offsets(header, second);
            Assert.That(end - begin, Is.GreaterThan(4), "the first tensor is longer than the shift");
            header[second]!["data_offsets"] = new JsonArray(begin + 4, begin + 4 + (e2 - b2));
        });
        RunFails(Weights, $"tensor '{second}'", "overlap", $"tensor '{first}'");
    }

    [Test]
    public void Run_tensorShapeInFileDiffersFromConfig_namesTheTensor()
    {
        BadFiles.EditSafeTensorsHeader(Weights, header => header["classifier.weight"]!["shape"] = new JsonArray(64, 10));
        RunFails(Weights, "tensor 'classifier.weight'", "[64, 10]", "[10, 64]");
    }

    [Test]
    public void Run_configSizeDiffersFromCheckpoint_namesTheTensor()
    {
        BadFiles.EditJson(Config, c => c["intermediate_size"] = 96);
        RunFails(Weights, "tensor 'vit.encoder.layer.0.intermediate.dense.weight'", "[128, 64]", "[96, 64]");
    }

    [Test]
    public void Run_tensorMissing_namesTheTensor()
    {
        BadFiles.EditSafeTensorsHeader(Weights, header =>
        {
            var entry = header["classifier.weight"]!;
            header.Remove("classifier.weight");
            header["classifier.kernel"] = entry;
        });
        RunFails(Weights, "tensor 'classifier.weight' missing");
    }

    [Test]
    public void Run_unsupportedModelType_namesTheConfigAndTheType()
    {
        BadFiles.EditJson(Config, c => c["model_type"] = "bert");
        RunFails(Config, "model_type 'bert' is not supported", "vit");
    }

    [Test]
    public void Run_negativeLayerCount_namesTheConfig()
    {
        BadFiles.EditJson(Config, c => c["num_hidden_layers"] = -1);
        RunFails(Config, "num_hidden_layers -1");
    }

    [Test]
    public void Preprocess_directoryWithoutConfigs_namesTheMissingConfig()
    {
        File.Delete(Config);
        File.Delete(Path.Combine(_model, "preprocessor_config.json"));
        var output = _tmp.File("pixel_values.npy");
        CliAssert.RuntimeError(CliRunner.Run("preprocess", Imaging.ImagingFixtures.ImageFile("chelsea"), "--model", _model, "--output", output), Config + ": file not found");
        CliAssert.NothingWritten(output);
    }

    [Test]
    public void Run_configNotJson_namesTheConfig()
    {
        File.WriteAllText(Config, "{\n  \"model_type\": \"vit\",\n");
        RunFails(Config, "not valid JSON");
    }
}
