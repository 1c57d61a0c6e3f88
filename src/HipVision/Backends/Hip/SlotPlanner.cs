using HipVision.Graph;

namespace HipVision.Backends.Hip;

/// <summary>
/// Places tensors with known lifetimes into whole device buffers ("slots"), because the native ABI takes whole buffers
/// only: a tensor reuses a slot whose previous tenant is dead (best fit by size, growing the largest free slot when none is
/// big enough), else gets a new slot. Coarser than <see cref="MemoryPlanner"/>'s byte arena, which needs offset views.
/// </summary>
internal static class SlotPlanner
{
    /// <summary>Returns each request's slot and every slot's size in bytes.</summary>
    public static (int[] SlotOf, long[] SlotBytes) Plan(IReadOnlyList<MemoryPlanner.Request> requests)
    {
        var slotOf = new int[requests.Count];
        var sizes = new List<long>();
        var freeAfter = new List<int>();   // per slot: last step of its current tenant
        foreach (int i in Enumerable.Range(0, requests.Count).OrderBy(i => requests[i].FirstStep).ThenByDescending(i => requests[i].Bytes))
        {
            var r = requests[i];
            int best = -1;
            for (int s = 0; s < sizes.Count; s++)
            {
                if (freeAfter[s] >= r.FirstStep) continue;
                bool fits = sizes[s] >= r.Bytes, bestFits = best >= 0 && sizes[best] >= r.Bytes;
                if (best < 0 || (fits && (!bestFits || sizes[s] < sizes[best])) || (!fits && !bestFits && sizes[s] > sizes[best])) best = s;
            }
            if (best < 0)
            {
                best = sizes.Count;
                sizes.Add(0);
                freeAfter.Add(-1);
            }
            sizes[best] = Math.Max(sizes[best], r.Bytes);
            freeAfter[best] = r.LastStep;
            slotOf[i] = best;
        }
        return (slotOf, sizes.ToArray());
    }
}
