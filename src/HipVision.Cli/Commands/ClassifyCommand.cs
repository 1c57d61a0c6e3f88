using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace HipVision.Cli.Commands;

/// <summary>
/// <c>hipvision classify IMAGE... --model MODEL [--top 5] [--json] [--backend auto|cpu|hip]</c>: top-k labels per image. The JSON
/// form is one object per image with its predictions and the backend (and device) that computed them.
/// </summary>
static class ClassifyCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGE") { Description = "Image files (JPEG, PNG, BMP, GIF, WebP)", Arity = ArgumentArity.OneOrMore };
        var model = CommonOptions.Model();
        var top = new Option<int>("--top") { Description = "How many classes to show per image", DefaultValueFactory = _ => 5 };
        var json = CommonOptions.Json();
        var backend = CommonOptions.Backend();
        var precision = CommonOptions.Precision();
        var threads = CommonOptions.Threads();
        var command = new Command("classify", "Classify images: the most probable labels with their probabilities") { images, model, top, json, backend, precision, threads };
        command.SetAction(r =>
        {
            if (r.GetValue(top) < 1) throw new UsageException("--top must be at least 1");
            var paths = r.GetValue(images)!;
            // IMAGE takes one or more values, so the parser hands it unknown options too ('--bogus'); unless
            // such a file exists, it is a mistyped option (usage error), not a missing image.
            foreach (var p in paths)
                if (p.Length > 1 && p[0] == '-' && !File.Exists(p)) throw new UsageException($"Unrecognized command or argument '{p}'.");
            foreach (var p in paths)
                if (!File.Exists(p)) throw new HipVisionException($"{p}: no such file");
            using var m = VisionModel.Load(CommonOptions.LocateModel(r, r.GetValue(model)!), CommonOptions.ModelOptions(r.GetValue(backend)!, r.GetValue(precision)!, r.GetValue(threads)));
            CommonOptions.ReportBackend(r, m);
            var results = m.Classify(paths, r.GetValue(top));
            if (r.GetValue(json)) WriteJson(paths, results, m);
            else if (Console.IsOutputRedirected) WritePlain(paths, results);
            else WriteTables(paths, results);
            return CliHost.Ok;
        });
        return command;
    }

    static void WritePlain(string[] paths, IReadOnlyList<IReadOnlyList<Prediction>> results)
    {
        for (int i = 0; i < paths.Length; i++)
        {
            Console.WriteLine(paths[i]);
            foreach (var p in results[i]) Console.WriteLine($"  {p.Probability,8:F5}  {p.ClassId,5}  {p.Label}");
        }
    }

    static void WriteTables(string[] paths, IReadOnlyList<IReadOnlyList<Prediction>> results)
    {
        for (int i = 0; i < paths.Length; i++)
        {
            var table = new Table().Title(Markup.Escape(paths[i])).AddColumn("probability").AddColumn("class").AddColumn("label");
            foreach (var p in results[i]) table.AddRow($"{p.Probability:F5}", p.ClassId.ToString(), Markup.Escape(p.Label));
            AnsiConsole.Write(table);
        }
    }

    static void WriteJson(string[] paths, IReadOnlyList<IReadOnlyList<Prediction>> results, VisionModel model)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            for (int i = 0; i < paths.Length; i++)
            {
                w.WriteStartObject();
                w.WriteString("image", paths[i]);
                w.WriteString("backend", model.BackendName);
                if (model.DeviceName is { } device) w.WriteString("device", device);
                w.WriteStartArray("predictions");
                foreach (var p in results[i])
                {
                    w.WriteStartObject();
                    w.WriteNumber("class_id", p.ClassId);
                    w.WriteString("label", p.Label);
                    w.WriteNumber("probability", p.Probability);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        stdout.WriteByte((byte)'\n');
    }
}
