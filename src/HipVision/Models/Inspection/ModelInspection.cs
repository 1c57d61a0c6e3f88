using System.Text.Json;
using HipVision.Graph;

namespace HipVision.Models.Inspection;

/// <summary>
/// What <see cref="ModelInspector"/> found: one <see cref="LayerCost"/> per operation of the graph, the totals
/// (each the sum of its column) and the family's lesson.
/// </summary>
public sealed record ModelInspection
{
    /// <summary>The HF <c>model_type</c>, or "" for a bare graph.</summary>
    public required string ModelType { get; init; }

    /// <summary>Images per forward pass the graph was built for.</summary>
    public required int Batch { get; init; }

    /// <summary>The recorded graph (zero weights).</summary>
    public required ModelGraph Graph { get; init; }

    /// <summary>Every operation in graph order, then (only when some exist) the row of parameters no node reads by name.</summary>
    public required IReadOnlyList<LayerCost> Layers { get; init; }

    /// <summary>The checkpoint tensors counted: HF names and shapes (every float tensor the model reads).</summary>
    public required IReadOnlyList<(string Name, int[] Shape)> Tensors { get; init; }

    /// <summary>Elements of every float tensor of the checkpoint, BatchNorm running statistics included (fixture.json's parameter_count).</summary>
    public long Parameters => Layers.Sum(l => l.Parameters);

    /// <summary>BatchNorm running_mean / running_var (and num_batches_tracked, were it float): parameters that training does not learn.</summary>
    public long Statistics => Layers.Sum(l => l.Statistics);

    /// <summary><see cref="Parameters"/> − <see cref="Statistics"/>.</summary>
    public long LearnableParameters => Parameters - Statistics;

    /// <summary>Multiply-accumulates of one forward pass of <see cref="Batch"/> images.</summary>
    public long Macs => Layers.Sum(l => l.Macs);

    /// <summary>Bytes moved by one forward pass at fp32 (inputs, outputs and weights of every operation).</summary>
    public long Bytes => Layers.Sum(l => l.Bytes);

    /// <summary>The per-family lesson, or null for a family without one.</summary>
    public ModelLesson? Lesson { get; init; }

    /// <summary>
    /// Writes one JSON object: model_type, batch, parameters, learnable_parameters, statistics, macs, bytes,
    /// layers [{id, name, op, shape, parameters, macs, bytes}] and lesson (null when there is none).
    /// </summary>
    public void WriteJson(Utf8JsonWriter json, string? model = null)
    {
        json.WriteStartObject();
        if (model != null) json.WriteString("model", model);
        json.WriteString("model_type", ModelType);
        json.WriteNumber("batch", Batch);
        json.WriteNumber("parameters", Parameters);
        json.WriteNumber("learnable_parameters", LearnableParameters);
        json.WriteNumber("statistics", Statistics);
        json.WriteNumber("macs", Macs);
        json.WriteNumber("bytes", Bytes);
        json.WriteStartArray("layers");
        foreach (var l in Layers)
        {
            json.WriteStartObject();
            json.WriteNumber("id", l.Id);
            json.WriteString("name", l.Name);
            json.WriteString("op", l.Op.ToString());
            json.WriteStartArray("shape");
            foreach (var d in l.Shape) json.WriteNumberValue(d);
            json.WriteEndArray();
            json.WriteNumber("parameters", l.Parameters);
            json.WriteNumber("statistics", l.Statistics);
            json.WriteNumber("macs", l.Macs);
            json.WriteNumber("bytes", l.Bytes);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WritePropertyName("lesson");
        if (Lesson is null) json.WriteNullValue();
        else Lesson.WriteJson(json);
        json.WriteEndObject();
    }
}
