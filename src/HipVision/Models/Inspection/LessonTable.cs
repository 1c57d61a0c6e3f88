namespace HipVision.Models.Inspection;

/// <summary>A table of a <see cref="ModelLesson"/>, already formatted for people (the JSON carries the raw numbers).</summary>
/// <param name="Title">What the table shows.</param>
/// <param name="Columns">Column headings.</param>
/// <param name="Rows">Cells, one array per row, as many as <paramref name="Columns"/>.</param>
public sealed record LessonTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows);
