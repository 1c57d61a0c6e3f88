using System.Diagnostics;
using System.Runtime.InteropServices;
using HipVision.Weights;

namespace KernelBench;

/// <summary>
/// What the non-finite check adds to reading a weight (docs/fuzzing.md, "Non-finite weights"): the F32 conversion
/// with the check fused in, against what the conversion did before the check (a new array and a byte copy), on the
/// same 256 MiB. Best of <c>repeats</c> of each, interleaved.
/// </summary>
static class WeightsCheckBench
{
    public static void Run(int repeats)
    {
        const int n = 64 << 20;
        var source = new byte[4L * n];
        new Random(1).NextBytes(source.AsSpan(0, 1 << 20));
        double best = double.MaxValue, bestChecked = double.MaxValue;
        for (int repeat = 0; repeat < repeats; repeat++)
        {
            var clock = Stopwatch.StartNew();
            var plain = new float[n];
            source.AsSpan().CopyTo(MemoryMarshal.AsBytes(plain.AsSpan()));
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            Float32Conversion.ToFloat32(source, SafeTensorDtype.F32, out _);
            bestChecked = Math.Min(bestChecked, clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"Non-finite weight check, 256 MiB of F32 (best of {repeats})");
        Console.WriteLine($"new array + byte copy (before): {best:0.0} ms; new array + copy with the fused check (now): {bestChecked:0.0} ms");
        Console.WriteLine();
    }
}
