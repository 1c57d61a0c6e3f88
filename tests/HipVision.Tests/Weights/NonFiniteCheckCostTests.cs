using System.Diagnostics;
using System.Runtime.InteropServices;
using HipVision.Weights;

namespace HipVision.Tests.Weights;

/// <summary>
/// What the non-finite check adds to reading a weight (docs/fuzzing.md): the F32 conversion with the check fused in,
/// against a plain byte copy of the same 256 MiB. Explicit: a measurement to run by hand, not a CI assertion.
/// </summary>
[Explicit("measurement; run by hand")]
public class NonFiniteCheckCostTests
{
    [Test]
    public void F32Conversion_withFusedCheck_againstPlainCopy()
    {
        const int n = 64 << 20;
        var source = new byte[4L * n];
        new Random(1).NextBytes(source.AsSpan(0, 1 << 20));
        double best = double.MaxValue, bestChecked = double.MaxValue;
        for (int rep = 0; rep < 7; rep++)
        {
            var clock = Stopwatch.StartNew();
            var plain = new float[n]; // what the conversion did before the check: a new array and a byte copy
            source.AsSpan().CopyTo(MemoryMarshal.AsBytes(plain.AsSpan()));
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            Float32Conversion.ToFloat32(source, SafeTensorDtype.F32, out _);
            bestChecked = Math.Min(bestChecked, clock.Elapsed.TotalMilliseconds);
        }
        TestContext.Out.WriteLine($"256 MiB F32: new array + byte copy (before) {best:0.0} ms, new array + copy with the fused check (now) {bestChecked:0.0} ms");
    }
}
