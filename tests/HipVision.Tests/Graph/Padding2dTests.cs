using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Graph;

/// <summary>
/// <see cref="Padding2d.TensorFlowSame"/> against the TF documentation's formula (<see cref="RefOps.TensorFlowSamePadding"/>)
/// for every small size, and the property that defines "SAME": the convolution output is ⌈in / stride⌉.
/// </summary>
public sealed class Padding2dTests
{
    [Test]
    public void TensorFlowSame_everySmallSize_matchesTfFormula()
    {
        int checkedCases = 0;
        for (int input = 1; input <= 80; input++)
            for (int k = 1; k <= 7; k++)
                for (int s = 1; s <= 4; s++)
                    for (int d = 1; d <= 3; d++)
                    {
                        var p = Padding2d.TensorFlowSame(input, input + 3, k, k, s, s, d, d);
                        var (top, bottom) = RefOps.TensorFlowSamePadding(input, k, s, d);
                        var (left, right) = RefOps.TensorFlowSamePadding(input + 3, k, s, d);
                        Assert.That(p, Is.EqualTo(new Padding2d(top, bottom, left, right)), $"in={input}×{input + 3} k={k} s={s} d={d}");
                        int outH = (input + top + bottom - d * (k - 1) - 1) / s + 1;
                        Assert.That(outH, Is.EqualTo((input + s - 1) / s), $"SAME output size, in={input} k={k} s={s} d={d}");
                        checkedCases++;
                    }
        TestContext.Out.WriteLine($"{checkedCases} cases");
    }

    [TestCase(224, 3, 2, 0, 1)]
    [TestCase(112, 5, 2, 1, 2)]
    [TestCase(113, 5, 2, 2, 2)]
    [TestCase(7, 1, 1, 0, 0)]
    [TestCase(14, 3, 1, 1, 1)]
    public void TensorFlowSame_efficientNetSizes_splitExtraPixelAfter(int input, int k, int s, int before, int after)
    {
        Assert.That(Padding2d.TensorFlowSame(input, input, k, k, s, s), Is.EqualTo(new Padding2d(before, after, before, after)));
        Assert.That(RefOps.TensorFlowSamePadding(input, k, s), Is.EqualTo((before, after)));
    }

    [Test]
    public void SamePadding_builderHelper_usesInputHeightAndWidth()
    {
        var x = new GraphBuilder().Input("x", 1, 8, 57, 30);
        Assert.That(GraphBuilder.SamePadding(x, 5, 2), Is.EqualTo(Padding2d.TensorFlowSame(57, 30, 5, 5, 2, 2)));
    }
}
