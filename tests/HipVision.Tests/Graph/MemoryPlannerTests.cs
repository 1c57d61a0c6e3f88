using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Graph;

/// <summary>
/// <see cref="MemoryPlanner"/> on random request sets, checked exhaustively: buffers whose lifetimes overlap
/// never share a byte, offsets are aligned, the arena is at least the largest live set and at most the sum of sizes.
/// </summary>
public sealed class MemoryPlannerTests
{
    [Test]
    public void Plan_randomRequests_liveBuffersNeverShareBytes()
    {
        var rng = TestRandom.Create("memory planner random requests");
        for (int trial = 0; trial < 300; trial++)
        {
            int n = rng.Next(1, 48), steps = rng.Next(1, 40), alignment = new[] { 1, 4, 64, 256 }[rng.Next(0, 4)];
            var requests = new MemoryPlanner.Request[n];
            for (int i = 0; i < n; i++)
            {
                int first = rng.Next(0, steps);
                long bytes = rng.Next(0, 10) == 0 ? rng.Next(0, 4) : rng.Next(1, 1 << rng.Next(1, 20));
                requests[i] = new(bytes, first, first + rng.Next(0, Math.Min(12, steps - first + 1)));
            }
            CheckPlan(requests, alignment, $"trial {trial}");
        }
    }

    [TestCase(2, 4096)]
    [TestCase(3, 1000)]
    [TestCase(50, 602112)]
    public void Plan_chainOfEqualBuffers_needsTwoSlots(int count, long bytes)
    {
        // Buffer i is written at step i and read at step i + 1, like a chain of layers.
        var requests = Enumerable.Range(0, count).Select(i => new MemoryPlanner.Request(bytes, i, i + 1)).ToArray();
        var (_, arena) = CheckPlan(requests, 64, "chain");
        long slot = (bytes + 63) / 64 * 64;
        Assert.That(arena, Is.EqualTo(2 * slot), $"a chain of {count} buffers of {bytes} bytes");
    }

    [Test]
    public void Plan_disjointLifetimes_reuseOneSlot()
    {
        var requests = Enumerable.Range(0, 10).Select(i => new MemoryPlanner.Request(1000 + i, i, i)).ToArray();
        var (_, arena) = CheckPlan(requests, 64, "disjoint");
        Assert.That(arena, Is.EqualTo(1024));
    }

    [Test]
    public void Plan_allLive_isTheSumOfAlignedSizes()
    {
        var requests = Enumerable.Range(0, 7).Select(i => new MemoryPlanner.Request(33 * (i + 1), 0, 5)).ToArray();
        var (_, arena) = CheckPlan(requests, 64, "all live");
        Assert.That(arena, Is.EqualTo(requests.Sum(r => (r.Bytes + 63) / 64 * 64)));
    }

    static (long[] Offsets, long Arena) CheckPlan(MemoryPlanner.Request[] requests, int alignment, string what)
    {
        var (offsets, arena) = MemoryPlanner.Plan(requests, alignment);
        Assert.That(offsets, Has.Length.EqualTo(requests.Length), what);
        long Size(int i) => (requests[i].Bytes + alignment - 1) / alignment * alignment;
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.That(offsets[i] % alignment, Is.Zero, $"{what}: offset {i} aligned to {alignment}");
            Assert.That(offsets[i], Is.GreaterThanOrEqualTo(0), what);
            Assert.That(offsets[i] + requests[i].Bytes, Is.LessThanOrEqualTo(arena), $"{what}: request {i} inside the arena");
            for (int j = i + 1; j < requests.Length; j++)
            {
                var (a, b) = (requests[i], requests[j]);
                bool together = a.FirstStep <= b.LastStep && b.FirstStep <= a.LastStep;
                bool shareBytes = a.Bytes > 0 && b.Bytes > 0 && offsets[i] < offsets[j] + b.Bytes && offsets[j] < offsets[i] + a.Bytes;
                Assert.That(together && shareBytes, Is.False,
                    $"{what}: requests {i} {a} at {offsets[i]} and {j} {b} at {offsets[j]} are live together and overlap");
            }
        }
        long sum = Enumerable.Range(0, requests.Length).Sum(Size);
        Assert.That(arena, Is.LessThanOrEqualTo(sum), $"{what}: peak ≤ sum of sizes");
        int lastStep = requests.Max(r => r.LastStep);
        for (int s = 0; s <= lastStep; s++)
        {
            long live = Enumerable.Range(0, requests.Length).Where(i => requests[i].FirstStep <= s && s <= requests[i].LastStep).Sum(i => requests[i].Bytes);
            Assert.That(arena, Is.GreaterThanOrEqualTo(live), $"{what}: peak ≥ bytes live at step {s}");
        }
        return (offsets, arena);
    }
}
