using System.CommandLine;
using HipVision.IO;

namespace HipVision.Cli.Commands;

/// <summary><c>hipvision run --model MODEL --input pixel_values.npy --output logits.npy</c>: raw tensors in and out.</summary>
static class RunCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var input = new Option<string>("--input", "-i") { Description = "pixel_values, .npy float32 [N,3,H,W]", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the logits (.npy float32 [N,labels])", Required = true };
        var backend = CommonOptions.Backend();
        var precision = CommonOptions.Precision();
        var threads = CommonOptions.Threads();
        var command = new Command("run", "Run the model on a pixel_values tensor and save the logits") { model, input, output, backend, precision, threads };
        command.SetAction(r =>
        {
            using var m = VisionModel.Load(CommonOptions.LocateModel(r, r.GetValue(model)!), CommonOptions.ModelOptions(r.GetValue(backend)!, r.GetValue(precision)!, r.GetValue(threads)));
            CommonOptions.ReportBackend(r, m);
            var (c, h, w) = m.Config.InputSize;
            var inputPath = r.GetValue(input)!;
            var pixels = NpyFile.ReadFloat32(inputPath, out var shape, [-1, c, h, w]);
            if (shape[0] == 0) throw new HipVisionException($"{inputPath}: holds no images (batch dimension is 0)");
            var logits = m.Run(pixels, shape[0]);
            NpyFile.WriteFloat32(r.GetValue(output)!, logits, [shape[0], m.Config.NumLabels]);
            return CliHost.Ok;
        });
        return command;
    }
}
