using System.CommandLine;
using System.Text.Json;
using HipVision.IO;
using HipVision.Models;
using HipVision.Weights;

namespace HipVision.Cli.Commands;

/// <summary>
/// <c>hipvision synth --arch NAME --seed N --output DIR</c>: a Hugging Face-format model directory with
/// hv-synth-v2 weights, to try the whole pipeline without downloads.
/// </summary>
static class SynthCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = $"Architecture preset: {string.Join(", ", ModelPresets.Names)}", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "hv-synth-v2 seed", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = "Directory to write (config.json, preprocessor_config.json, model.safetensors)", Required = true };
        var command = new Command("synth", "Write a model directory with synthetic hv-synth-v2 weights") { arch, seed, output };
        command.SetAction(r =>
        {
            var config = ModelPresets.Get(r.GetValue(arch)!);
            var parameters = config.Parameters();
            long count = parameters.Sum(p => Graph.ShapeMath.Count(p.Shape));
            ProgressDisplay.Run($"generating {count:N0} parameters", parameters.Count, advance =>
                Write(config, parameters, r.GetValue(seed), r.GetValue(output)!, advance));
            return CliHost.Ok;
        });
        return command;
    }

    /// <summary>
    /// Writes the three files as one set: a failure leaves <paramref name="directory"/> as it was, never a
    /// model directory with some files new and some old or missing.
    /// </summary>
    public static void Write(ModelConfig config, IReadOnlyList<(string Name, int[] Shape)> parameters, ulong seed, string directory,
        Action<double> tensorDone) =>
        AtomicDirectory.Write(directory, staging =>
        {
            var writer = new SafeTensorsWriter();
            foreach (var (name, shape) in parameters)
            {
                writer.Add(name, HvSynth.Generate(name, shape, seed), shape);
                tensorDone(1);
            }
            foreach (var (name, dtype, shape, data) in config.ExtraStateDict())
                writer.Add(name, dtype, shape, data);
            writer.Write(Path.Combine(staging, "model.safetensors"));
            AtomicFile.WriteAllText(Path.Combine(staging, "config.json"), ConfigJson(config));
            AtomicFile.WriteAllText(Path.Combine(staging, "preprocessor_config.json"), config.DefaultPreprocessorJson + "\n");
        });

    static string ConfigJson(ModelConfig config)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true })) config.WriteJson(w);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
