using System.CommandLine;
using HipVision.Conversion;

namespace HipVision.Cli.Commands;

/// <summary>
/// <c>hipvision convert MODEL --output FILE.safetensors [--precision fp32|fp16|bf16]</c>: one safetensors file with
/// the tensors in the engine's layouts and the configs and labels in its metadata, which every --model accepts.
/// </summary>
static class ConvertCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "Hugging Face-format model directory (or a converted file, e.g. to change its precision)" };
        var output = new Option<string>("--output", "-o") { Description = "The file to write (.safetensors); written beside under a temporary name, then renamed", Required = true };
        var precision = new Option<string>("--precision") { Description = "How tensors are stored: fp32 (bit-identical logits), fp16 or bf16 (half the size; widened to fp32 at load)", DefaultValueFactory = _ => "fp32" };
        var command = new Command("convert", "Write a model as one safetensors file in the engine's layouts (BatchNorm folded, QKV fused), loaded without conversion") { model, output, precision };
        command.SetAction(r =>
        {
            if (!Precisions.TryParse(r.GetValue(precision)!, out var p))
                throw new UsageException($"unknown precision '{r.GetValue(precision)}' (expected fp32, fp16 or bf16)");
            var path = r.GetValue(output)!;
            ModelConverter.Convert(CommonOptions.LocateModel(r, r.GetValue(model)!), path, p);
            Console.WriteLine($"{path}: {p.Name()}, {new FileInfo(path).Length / (1024.0 * 1024.0):F1} MiB");
            return CliHost.Ok;
        });
        return command;
    }
}
