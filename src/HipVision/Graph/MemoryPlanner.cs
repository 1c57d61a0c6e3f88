namespace HipVision.Graph;

/// <summary>
/// Static memory plan: places buffers with known sizes and lifetimes (first and last step that touches them)
/// in one arena so that buffers whose lifetimes overlap never share bytes. Greedy best fit, largest first,
/// which is what inference engines commonly use; the arena size is the plan's peak.
/// </summary>
public static class MemoryPlanner
{
    /// <summary>One buffer to place: size in bytes and the inclusive step range it is live.</summary>
    public readonly record struct Request(long Bytes, int FirstStep, int LastStep);

    /// <summary>Returns each request's byte offset (aligned to <paramref name="alignment"/>) and the arena size.</summary>
    public static (long[] Offsets, long ArenaBytes) Plan(IReadOnlyList<Request> requests, int alignment = 64)
    {
        var offsets = new long[requests.Count];
        var placed = new List<int>();
        long arena = 0;
        foreach (int i in Enumerable.Range(0, requests.Count).OrderByDescending(i => requests[i].Bytes).ThenBy(i => i))
        {
            var r = requests[i];
            long size = Align(r.Bytes, alignment);
            var busy = placed.Where(j => Overlaps(requests[j], r))
                             .Select(j => (Start: offsets[j], End: offsets[j] + Align(requests[j].Bytes, alignment)))
                             .OrderBy(s => s.Start).ToList();
            long best = -1, bestGap = long.MaxValue, cursor = 0;
            foreach (var (start, end) in busy)
            {
                long gap = start - cursor;
                if (gap >= size && gap < bestGap) { best = cursor; bestGap = gap; }
                cursor = Math.Max(cursor, end);
            }
            offsets[i] = best >= 0 ? best : cursor;
            arena = Math.Max(arena, offsets[i] + size);
            placed.Add(i);
        }
        return (offsets, arena);
    }

    static bool Overlaps(Request a, Request b) => a.FirstStep <= b.LastStep && b.FirstStep <= a.LastStep;

    static long Align(long bytes, int alignment) => (bytes + alignment - 1) / alignment * alignment;
}
