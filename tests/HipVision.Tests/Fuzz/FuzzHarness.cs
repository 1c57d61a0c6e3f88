using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace HipVision.Tests.Fuzz;

/// <summary>
/// Runs one reader against mutated seeds under CsCheck and checks the hardening contract on every case: the reader
/// returns, or throws <see cref="HipVisionException"/>; never another exception type, never longer than the per-case
/// timeout, never a managed allocation beyond a budget (a hostile size must be refused before it is allocated).
/// </summary>
/// <remarks>
/// Environment (see docs/fuzzing.md): HV_FUZZ_ITERATIONS (cases per reader; default the CI count each test passes),
/// HV_FUZZ_SECONDS (run each reader this long instead), HV_FUZZ_SEED (a CsCheck seed printed by a failure, to replay
/// it), HV_FUZZ_THREADS (default 1: CI machines are shared), HV_FUZZ_CASE_TIMEOUT_MS (default 10000).
/// A failing input is also written to fuzz-findings/ under the test output directory.
/// </remarks>
static class FuzzHarness
{
    /// <summary>Per-case allocation budget: a generous constant plus a multiple of the input, far below any "huge" allocation.</summary>
    public static long Budget(byte[] input) => (96L << 20) + 32L * input.Length;

    public static void Run(string reader, IReadOnlyList<byte[]> seeds, Action<byte[]> target, long ciIterations)
    {
        Assert.That(seeds, Is.Not.Empty);
        long iterations = Env("HV_FUZZ_ITERATIONS") ?? ciIterations;
        int seconds = (int)(Env("HV_FUZZ_SECONDS") ?? -1);
        int threads = (int)(Env("HV_FUZZ_THREADS") ?? 1);
        var timeout = TimeSpan.FromMilliseconds(Env("HV_FUZZ_CASE_TIMEOUT_MS") ?? 10_000);
        var seed = Environment.GetEnvironmentVariable("HV_FUZZ_SEED");

        long cases = 0, accepted = 0, refused = 0, maxAllocated = 0;
        var slowest = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        var gen = Gen.Select(Gen.Int[0, seeds.Count - 1], Gen.Int, Gen.Int[1, 6]);
        gen.Sample((seedIndex, rngSeed, edits) =>
        {
            // Every fifth case is a seed unchanged, so the "accepts valid input" half of the contract is exercised too.
            var input = rngSeed % 5 == 0 ? seeds[seedIndex] : Mutator.Mutate(seeds[seedIndex], seeds, rngSeed, edits);
            var (outcome, allocated, elapsed) = RunCase(reader, input, target, timeout);
            Interlocked.Increment(ref cases);
            if (outcome) Interlocked.Increment(ref accepted);
            else Interlocked.Increment(ref refused);
            InterlockedMax(ref maxAllocated, allocated);
            lock (seeds) if (elapsed > slowest) slowest = elapsed;
        },
        seed: seed, iter: iterations, time: seconds, threads: threads,
        print: t => $"seed #{t.Item1}, rng {t.Item2}, {t.Item3} edits");
        TestContext.Out.WriteLine(
            $"fuzz {reader}: {cases} cases in {clock.Elapsed.TotalSeconds:0.0} s ({accepted} accepted, {refused} refused with HipVisionException); " +
            $"slowest case {slowest.TotalMilliseconds:0} ms, largest allocation {maxAllocated / 1024} KiB");
    }

    /// <summary>Runs one case on the calling thread's worker (so a hang is caught); true when the reader accepted the input.</summary>
    static (bool Accepted, long Allocated, TimeSpan Elapsed) RunCase(string reader, byte[] input, Action<byte[]> target, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var worker = _worker ??= new Worker();
        if (!worker.TryRun(() => target(input), timeout, out var result))
        {
            _worker = null; // stuck in the reader: abandon it, the next case gets a fresh thread
            throw Finding(reader, input, $"hang: no answer within {timeout.TotalSeconds:0} s", null);
        }
        if (result.Error is HipVisionException typed && typed.Message.Contains('\n'))
            throw Finding(reader, input, $"multi-line message: {typed.Message}", typed);
        if (result.Error is not (null or HipVisionException))
            throw Finding(reader, input, $"untyped {result.Error.GetType().Name}: {result.Error.Message}", result.Error);
        if (result.Allocated > Budget(input))
            throw Finding(reader, input, $"allocated {result.Allocated} bytes for a {input.Length}-byte input (budget {Budget(input)})", null);
        return (result.Error == null, result.Allocated, clock.Elapsed);
    }

    [ThreadStatic] static Worker? _worker;

    /// <summary>A background thread that runs one case at a time, measuring what it allocates; reused across cases.</summary>
    sealed class Worker
    {
        readonly SemaphoreSlim _go = new(0), _done = new(0);
        Action? _work;
        (Exception? Error, long Allocated) _result;

        public Worker() => new Thread(Loop) { IsBackground = true, Name = "fuzz case" }.Start();

        public bool TryRun(Action work, TimeSpan timeout, out (Exception? Error, long Allocated) result)
        {
            _work = work;
            _go.Release();
            bool finished = _done.Wait(timeout);
            result = _result;
            return finished;
        }

        void Loop()
        {
            while (true)
            {
                _go.Wait();
                long before = GC.GetAllocatedBytesForCurrentThread();
                Exception? error = null;
                try
                {
                    _work!();
                }
                catch (Exception e)
                {
                    error = e;
                }
                _result = (error, GC.GetAllocatedBytesForCurrentThread() - before);
                _done.Release();
            }
        }
    }

    static Exception Finding(string reader, byte[] input, string what, Exception? inner)
    {
        var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "fuzz-findings");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"{reader}-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(input))[..16]}.bin");
        File.WriteAllBytes(file, input);
        return new Exception($"fuzz {reader}: {what} (input saved to {file})", inner);
    }

    static long? Env(string name) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
