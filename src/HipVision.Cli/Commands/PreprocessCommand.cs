using System.CommandLine;
using HipVision.Imaging;
using HipVision.IO;
using HipVision.Models;

namespace HipVision.Cli.Commands;

/// <summary><c>hipvision preprocess IMAGE --model MODEL --output pixel_values.npy</c>: the model's exact preprocessing, saved as float32 [1,3,H,W].</summary>
static class PreprocessCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("IMAGE") { Description = "Image file" };
        var model = CommonOptions.Model();
        var output = new Option<string>("--output", "-o") { Description = "Where to write pixel_values (.npy, float32 [1,3,H,W])", Required = true };
        var command = new Command("preprocess", "Decode and preprocess an image exactly as the model's Hugging Face image processor does") { image, model, output };
        command.SetAction(r =>
        {
            var processor = new ImageProcessor(ModelFiles.ReadPreprocessor(CommonOptions.LocateModel(r, r.GetValue(model)!)));
            var pixels = processor.Preprocess(ImageLoader.Load(r.GetValue(image)!));
            int h = processor.HasFixedOutputSize ? processor.OutputHeight : -1, w = processor.HasFixedOutputSize ? processor.OutputWidth : -1;
            if (h < 0) (h, w) = OutputSize(processor, r.GetValue(image)!);
            NpyFile.WriteFloat32(r.GetValue(output)!, pixels, [1, 3, h, w]);
            return CliHost.Ok;
        });
        return command;
    }

    static (int, int) OutputSize(ImageProcessor processor, string path)
    {
        var decoded = ImageLoader.Load(path);
        return processor.OutputSizeFor(decoded.Width, decoded.Height);
    }
}
