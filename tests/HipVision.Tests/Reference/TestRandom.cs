namespace HipVision.Tests.Reference;

/// <summary>
/// Fresh random inputs for every case, with the seed printed so a failure replays: set HV_TEST_SEED to the
/// printed value to rerun the same numbers.
/// </summary>
sealed class TestRandom
{
    readonly Random _rng;

    TestRandom(int seed)
    {
        Seed = seed;
        _rng = new Random(seed);
    }

    public int Seed { get; }

    /// <summary>A new generator seeded from HV_TEST_SEED if set, else from Random.Shared; prints "seed N (what)".</summary>
    public static TestRandom Create(string what = "")
    {
        var env = Environment.GetEnvironmentVariable("HV_TEST_SEED");
        int seed = int.TryParse(env, out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}{(what.Length > 0 ? " (" + what + ")" : "")}{(env is null ? "" : " from HV_TEST_SEED")}");
        return new TestRandom(seed);
    }

    /// <summary>Uniform in [lo, hi).</summary>
    public float[] Uniform(long count, double lo = -1, double hi = 1)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)(lo + (hi - lo) * _rng.NextDouble());
        return values;
    }

    /// <summary>Uniform over an int[] shape.</summary>
    public float[] Uniform(int[] shape, double lo = -1, double hi = 1) => Uniform(HipVision.Graph.ShapeMath.Count(shape), lo, hi);

    public int Next(int lo, int hi) => _rng.Next(lo, hi);

    public double NextDouble() => _rng.NextDouble();
}
