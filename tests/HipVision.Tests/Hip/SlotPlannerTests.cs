using HipVision.Backends.Hip;
using HipVision.Graph;

namespace HipVision.Tests.Hip;

/// <summary>The whole-buffer placement of the HIP plan: tensors alive at the same step never share a slot; dead slots are reused.</summary>
public class SlotPlannerTests
{
    [Test]
    public void Plan_chain_reusesTwoSlots()
    {
        // x0 -> x1 -> x2 -> x3: each read only by the next step, so two slots suffice.
        var requests = new MemoryPlanner.Request[] { new(100, 0, 1), new(100, 1, 2), new(100, 2, 3), new(100, 3, int.MaxValue) };
        var (slotOf, bytes) = SlotPlanner.Plan(requests);
        Assert.That(bytes, Has.Length.EqualTo(2));
        AssertNoOverlap(requests, slotOf, bytes);
    }

    [Test]
    public void Plan_randomLifetimes_neverShareALiveSlotAndFitEveryTenant()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 50; trial++)
        {
            var requests = Enumerable.Range(0, 30).Select(_ =>
            {
                int first = rng.Next(0, 40);
                return new MemoryPlanner.Request(rng.Next(0, 5000), first, first + rng.Next(0, 10));
            }).ToArray();
            var (slotOf, bytes) = SlotPlanner.Plan(requests);
            AssertNoOverlap(requests, slotOf, bytes);
        }
    }

    static void AssertNoOverlap(MemoryPlanner.Request[] requests, int[] slotOf, long[] bytes)
    {
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.That(bytes[slotOf[i]], Is.GreaterThanOrEqualTo(requests[i].Bytes), $"request {i} fits its slot");
            for (int j = i + 1; j < requests.Length; j++)
                if (slotOf[i] == slotOf[j])
                    Assert.That(requests[i].LastStep < requests[j].FirstStep || requests[j].LastStep < requests[i].FirstStep, Is.True,
                        $"requests {i} and {j} share slot {slotOf[i]} while both alive");
        }
    }
}
