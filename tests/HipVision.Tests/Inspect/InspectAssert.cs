using HipVision.Models.Inspection;

namespace HipVision.Tests.Inspect;

static class InspectAssert
{
    /// <summary>Every total is the sum of its column, and the parameters are exactly the tensors counted.</summary>
    public static void ColumnsAddUp(ModelInspection i)
    {
        Assert.That(i.Layers.Sum(l => l.Parameters), Is.EqualTo(i.Parameters));
        Assert.That(i.Layers.Sum(l => l.Macs), Is.EqualTo(i.Macs));
        Assert.That(i.Layers.Sum(l => l.Bytes), Is.EqualTo(i.Bytes));
        Assert.That(i.Layers.Sum(l => l.Statistics), Is.EqualTo(i.Statistics));
        Assert.That(i.Parameters, Is.EqualTo(i.Tensors.Sum(t => HipVision.Graph.ShapeMath.Count(t.Shape))), "every tensor counted once");
    }
}
