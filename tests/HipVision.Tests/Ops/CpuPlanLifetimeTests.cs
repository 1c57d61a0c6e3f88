using HipVision.Backends.Cpu;
using HipVision.Graph;

namespace HipVision.Tests.Ops;

/// <summary>A CPU plan owns native memory (its activation arena): dispose is idempotent and use after it throws.</summary>
public class CpuPlanLifetimeTests
{
    [Test]
    public void Plan_disposedTwiceThenUsed_throwsObjectDisposed()
    {
        var g = new GraphBuilder();
        g.Output("y", g.Relu6(g.Input("x", 1, 2, 3, 3)));
        var plan = new CpuBackend(1).Compile(g.Build());
        plan.Run(new float[18]);
        plan.Dispose();
        plan.Dispose();
        Assert.Throws<ObjectDisposedException>(() => plan.Run(new float[18]));
        Assert.Throws<ObjectDisposedException>(() => plan.CopyOutput("y", new float[18]));
    }
}
