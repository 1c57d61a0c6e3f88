using System.CommandLine;
using System.Text.Json;
using HipVision.Models;
using HipVision.Models.Inspection;
using HipVision.Weights;
using Spectre.Console;

namespace HipVision.Cli.Commands;

/// <summary>
/// <c>hipvision inspect (--model DIR | --arch NAME) [--batch N] [--json]</c>: every layer of the model with its
/// output shape, parameters, MACs and bytes moved, the totals, and the family's lesson. Needs only config.json;
/// a model.safetensors beside it, when present, only tells which optional tensors exist.
/// </summary>
static class InspectCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model(required: false);
        model.Description = "Hugging Face-format model directory (only config.json is needed), or a file written by 'hipvision convert'";
        var arch = new Option<string>("--arch") { Description = $"Architecture preset instead of --model: {string.Join(", ", ModelPresets.Names)}" };
        var batch = new Option<int>("--batch", "-b") { Description = "Images per forward pass", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        var command = new Command("inspect", "Show every layer's shape, parameters, MACs and bytes moved, with totals and the family's lesson") { model, arch, batch, json };
        command.SetAction(r =>
        {
            string? modelDir = r.GetValue(model), archName = r.GetValue(arch);
            if ((modelDir is null) == (archName is null)) throw new UsageException("give exactly one of --model and --arch");
            int n = r.GetValue(batch);
            if (n < 1) throw new UsageException("--batch must be at least 1");
            var modelPath = modelDir is null ? null : CommonOptions.LocateModel(r, modelDir);
            var config = archName != null ? ModelPresets.Get(archName) : ModelFiles.ReadConfig(modelPath!);
            var inspection = ModelInspector.Inspect(config, n, archName is null ? CheckpointNames(modelPath!) : null);
            if (r.GetValue(json)) WriteJson(inspection, archName ?? modelDir!);
            else if (Console.IsOutputRedirected) WritePlain(inspection, archName ?? modelDir!);
            else WriteTables(inspection, archName ?? modelDir!);
            return CliHost.Ok;
        });
        return command;
    }

    static IReadOnlySet<string>? CheckpointNames(string directory)
    {
        // A converted file holds engine tensors, not the HF ones this listing counts: its config says it all.
        if (File.Exists(directory)) return null;
        if (!File.Exists(Path.Combine(directory, SafeTensorsWeights.SingleFileName)) && !File.Exists(Path.Combine(directory, SafeTensorsWeights.IndexFileName)))
            return null;
        using var weights = SafeTensorsWeights.Open(directory);
        return weights.Names.ToHashSet(StringComparer.Ordinal);
    }

    static string[] Header => ["#", "layer", "op", "output shape", "parameters", "MACs", "bytes moved"];

    static string[] Row(LayerCost l) =>
        [l.Id < 0 ? "" : l.Id.ToString(), l.Name, l.Op.ToString(), l.Shape.Length == 0 ? "" : Graph.ShapeMath.Format(l.Shape),
         l.Parameters == 0 ? "" : Units.Count(l.Parameters), l.Macs == 0 ? "" : Units.Si(l.Macs), l.Bytes == 0 ? "" : Units.Bytes(l.Bytes)];

    static string[] TotalRow(ModelInspection i) => ["", "total", "", "", Units.Count(i.Parameters), Units.Si(i.Macs), Units.Bytes(i.Bytes)];

    static string[] Summary(ModelInspection i, string name) =>
    [
        $"model        {name} ({i.ModelType}), batch {i.Batch}",
        $"parameters   {Units.Count(i.Parameters)} = {Units.Count(i.LearnableParameters)} learnable + {Units.Count(i.Statistics)} BatchNorm running statistics",
        $"MACs         {Units.Si(i.Macs)} ({Units.Count(i.Macs)}; one multiply-add is one MAC)",
        $"bytes moved  {Units.Bytes(i.Bytes)} at fp32 (inputs, outputs and weights of every operation)",
    ];

    static void WritePlain(ModelInspection i, string name)
    {
        WritePlainTable(Header, [.. i.Layers.Select(Row), TotalRow(i)], numericFrom: 4);
        Console.WriteLine();
        foreach (var line in Summary(i, name)) Console.WriteLine(line);
        if (i.Lesson is not { } lesson) return;
        Console.WriteLine();
        Console.WriteLine(lesson.Title);
        foreach (var t in lesson.Tables)
        {
            Console.WriteLine();
            Console.WriteLine(t.Title);
            WritePlainTable([.. t.Columns], t.Rows, numericFrom: 1);
        }
        Console.WriteLine();
        foreach (var note in lesson.Notes) Console.WriteLine("* " + note);
    }

    /// <summary>Fixed-width columns; columns from <paramref name="numericFrom"/> on are right-aligned.</summary>
    static void WritePlainTable(string[] columns, IReadOnlyList<string[]> rows, int numericFrom)
    {
        var widths = columns.Select((c, k) => rows.Select(r => r[k].Length).Append(c.Length).Max()).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, k) => k >= numericFrom ? c.PadLeft(widths[k]) : c.PadRight(widths[k]))).TrimEnd();
        Console.WriteLine(Line(columns));
        foreach (var r in rows) Console.WriteLine(Line(r));
    }

    static void WriteTables(ModelInspection i, string name)
    {
        var table = new Table().Title(Markup.Escape($"{name}: layers"));
        foreach (var (c, k) in Header.Select((c, k) => (c, k)))
            table.AddColumn(new TableColumn(Markup.Escape(c)) { Alignment = k >= 4 ? Justify.Right : Justify.Left });
        foreach (var r in i.Layers.Select(Row)) table.AddRow(r.Select(Markup.Escape).ToArray());
        table.AddRow(TotalRow(i).Select(c => $"[bold]{Markup.Escape(c)}[/]").ToArray());
        AnsiConsole.Write(table);
        foreach (var line in Summary(i, name)) AnsiConsole.WriteLine(line);
        if (i.Lesson is not { } lesson) return;
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(lesson.Title)}[/]");
        foreach (var t in lesson.Tables)
        {
            var lt = new Table().Title(Markup.Escape(t.Title));
            foreach (var (c, k) in t.Columns.Select((c, k) => (c, k)))
                lt.AddColumn(new TableColumn(Markup.Escape(c)) { Alignment = k >= 1 ? Justify.Right : Justify.Left });
            foreach (var r in t.Rows) lt.AddRow(r.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(lt);
        }
        foreach (var note in lesson.Notes) AnsiConsole.WriteLine("• " + note);
    }

    static void WriteJson(ModelInspection i, string name)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout)) i.WriteJson(w, name);
        stdout.WriteByte((byte)'\n');
    }
}
