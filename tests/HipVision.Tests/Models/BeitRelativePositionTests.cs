using HipVision.Models;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Models;

/// <summary>BEiT's relative_position_index and the [heads, T, T] bias gathered from the table, against <see cref="BeitReference"/>.</summary>
public class BeitRelativePositionTests
{
    [TestCase(1, 1)]
    [TestCase(3, 5)]
    [TestCase(5, 3)]
    [TestCase(7, 7)]
    [TestCase(14, 14)]
    public void RelativePositionIndex_oddWindows_matchesHfConstruction(int wh, int ww)
    {
        var got = Beit.RelativePositionIndex(wh, ww);
        var want = BeitReference.RelativePositionIndex(wh, ww);
        int t = wh * ww + 1, n = (2 * wh - 1) * (2 * ww - 1) + 3;
        Assert.That(Beit.NumRelativeDistance(wh, ww), Is.EqualTo(n));
        Assert.That(got, Has.Length.EqualTo(t * t));
        for (int i = 0; i < t; i++)
            for (int j = 0; j < t; j++)
                Assert.That(got[i * t + j], Is.EqualTo(want[i, j]), $"index[{i},{j}] for window {wh}x{ww}");
        Assert.That(got.Max(), Is.EqualTo(n - 1));
        Assert.That(got.Distinct().Count(), Is.EqualTo(n), "every table row is used");
    }

    [Test]
    public void RelativePositionIndex_base14x14_hasHubTableSize732()
    {
        Assert.That(Beit.NumRelativeDistance(14, 14), Is.EqualTo(732));
        var index = Beit.RelativePositionIndex(14, 14);
        Assert.That(index[0], Is.EqualTo(731), "cls to cls");
        Assert.That(index[1], Is.EqualTo(729), "cls to token");
        Assert.That(index[197], Is.EqualTo(730), "token to cls");
        Assert.That(index[198], Is.EqualTo(13 * 27 + 13), "a token to itself: offset (0, 0)");
    }

    [TestCase(3, 5, 4)]
    [TestCase(7, 7, 3)]
    [TestCase(14, 14, 12)]
    public void GatherRelativePositionBias_randomTable_equalsReferenceExactly(int wh, int ww, int heads)
    {
        int n = Beit.NumRelativeDistance(wh, ww), t = wh * ww + 1;
        var table = TestRandom.Create($"table {wh}x{ww}").Uniform([n, heads]);
        var got = Beit.GatherRelativePositionBias(table, heads, wh, ww);
        var want = BeitReference.RelativePositionBias(RefOps.D(table), heads, wh, ww);
        Assert.That(got, Has.Length.EqualTo(heads * t * t));
        for (int i = 0; i < got.Length; i++)
            if (got[i] != want[i]) Assert.Fail($"bias[{i / (t * t)},{i / t % t},{i % t}] = {got[i]}, want {want[i]}");
    }

    [Test]
    public void GatherRelativePositionBias_wrongTableSize_throws() =>
        Assert.Throws<ArgumentException>(() => Beit.GatherRelativePositionBias(new float[10], 2, 2, 2));
}
