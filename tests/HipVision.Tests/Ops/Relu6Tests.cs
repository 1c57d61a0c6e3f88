using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>ReLU6 (the CPU's hardware min/max loop): special values and lengths that leave every vector tail.</summary>
public sealed class Relu6Tests
{
    [TestCase(1)]
    [TestCase(7)]
    [TestCase(33)]
    [TestCase(1025)]
    public void Relu6_specialValuesAtEveryPosition_matchTorchClamp(int length)
    {
        float[] special = [float.NaN, float.NegativeInfinity, float.PositiveInfinity, -0f, 0f, 6f, 6.0000005f, -1e-30f, 5.9999995f, 3.25f, -7f];
        var rng = TestRandom.Create($"relu6 length {length}");
        var x = rng.Uniform(length, -10, 10);
        for (int i = 0; i < length; i += 3) x[i] = special[(i / 3) % special.Length];
        var g = new GraphBuilder();
        var y = OpRunner.Run(new CpuBackend(1), g, g.Relu6(g.Input("x", length)), x);
        for (int i = 0; i < length; i++)
        {
            float want = float.IsNaN(x[i]) ? float.NaN : Math.Clamp(x[i], 0f, 6f);
            Assert.That(y[i], float.IsNaN(want) ? Is.NaN : Is.EqualTo(want), $"relu6({x[i]}) at {i}");
        }
    }
}
