using HipVision.Graph;

namespace HipVision.Tests.Graph;

/// <summary>
/// The conv output size the builder records against torch.nn.Conv2d's
/// ⌊(in + pad_before + pad_after − d·(k − 1) − 1)/s⌋ + 1, and its refusal where PyTorch refuses (size &lt; 1).
/// </summary>
public sealed class ConvShapeTests
{
    [Test]
    public void Conv2d_outputSize_matchesTorchFormulaOrThrows()
    {
        int checkedCases = 0;
        for (int input = 1; input <= 12; input++)
            for (int k = 1; k <= 5; k++)
                for (int s = 1; s <= 3; s++)
                    for (int d = 1; d <= 2; d++)
                        for (int before = 0; before <= 2; before++)
                            for (int after = 0; after <= 2; after++)
                            {
                                int want = (int)Math.Floor((double)(input + before + after - d * (k - 1) - 1) / s) + 1;
                                var g = new GraphBuilder();
                                var x = g.Input("x", 1, 1, input, 3 * d * k);
                                var w = g.Constant("w", [1, 1, k, k], new float[k * k]);
                                string what = $"in={input} k={k} s={s} d={d} pad={before},{after}";
                                if (want < 1)
                                    Assert.Throws<ArgumentException>(() => g.Conv2d(x, w, null, s, new Padding2d(before, after, 0, 0), dilation: d), what);
                                else
                                    Assert.That(g.Conv2d(x, w, null, s, new Padding2d(before, after, 0, 0), dilation: d).Shape[2], Is.EqualTo(want), what);
                                checkedCases++;
                            }
        TestContext.Out.WriteLine($"{checkedCases} cases");
    }
}
