using System.Text.Json;

namespace HipVision.Models.Inspection;

/// <summary>
/// What a family's architecture teaches about its cost, computed from the graph (never typed in): the
/// attention/MLP split of a transformer, MobileNet's depthwise-separable saving, EfficientNet's compound scaling.
/// </summary>
public abstract class ModelLesson
{
    /// <summary>A one-line heading.</summary>
    public abstract string Title { get; }

    /// <summary>The conclusions, one sentence each, with the numbers in them.</summary>
    public abstract IReadOnlyList<string> Notes { get; }

    /// <summary>The tables behind the notes (per layer, per stage, per variant).</summary>
    public abstract IReadOnlyList<LessonTable> Tables { get; }

    /// <summary>Writes the lesson as one JSON object with a "family" key and typed numbers.</summary>
    public abstract void WriteJson(Utf8JsonWriter json);
}
