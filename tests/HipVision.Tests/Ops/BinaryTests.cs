using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// Add and Mul with NumPy broadcasting (torch.add / torch.mul) against <see cref="RefOps.Binary"/>, with the
/// run-time input on either side; every fast path (equal shapes, suffix repeat, per plane) and the general loop.
/// Elementwise tolerance 1e-6/1e-5.
/// </summary>
public sealed class BinaryTests
{
    static readonly (int[] A, int[] B)[] Shapes =
    [
        ([1], [1]),
        ([7, 33], [7, 33]),
        ([7, 33], [1]),
        ([7, 33], [33]),
        ([1, 197, 768], [1, 197, 768]),
        ([2, 197, 768], [1, 197, 768]),
        ([2, 197, 768], [768]),
        ([2, 33, 7, 5], [2, 33, 1, 1]),
        ([1, 32, 112, 112], [1, 32, 1, 1]),
        ([2, 33, 7, 5], [33, 1, 1]),
        ([2, 33, 7, 5], [1, 33, 1, 5]),
        ([7, 1], [1, 33]),
        ([3, 1, 5], [1, 4, 1]),
        ([2, 3, 4], [2, 1, 4]),
        ([5], [3, 1, 5]),
    ];

    [Test]
    public void Add_broadcastShapes_matchReference()
    {
        foreach (var (a, b) in Shapes)
        {
            BinaryCase(new CpuBackend(2), OpKind.Add, a, b, inputFirst: true);
            BinaryCase(new CpuBackend(1), OpKind.Add, b, a, inputFirst: false);
        }
    }

    [Test]
    public void Mul_broadcastShapes_matchReference()
    {
        foreach (var (a, b) in Shapes)
        {
            BinaryCase(new CpuBackend(1), OpKind.Mul, a, b, inputFirst: true);
            BinaryCase(new CpuBackend(2), OpKind.Mul, b, a, inputFirst: false);
        }
    }

    internal static void BinaryCase(IBackend be, OpKind kind, int[] aShape, int[] bShape, bool inputFirst)
    {
        string what = $"{kind} {OpRunner.Shape(aShape)} {OpRunner.Shape(bShape)} input={(inputFirst ? "a" : "b")} on {be.Name}";
        var rng = TestRandom.Create(what);
        var a = rng.Uniform(aShape, -3, 3);
        var b = rng.Uniform(bShape, -3, 3);
        var g = new GraphBuilder();
        var na = inputFirst ? g.Input("x", aShape) : g.Constant("a", aShape, a);
        var nb = inputFirst ? g.Constant("b", bShape, b) : g.Input("x", bShape);
        var node = kind == OpKind.Add ? g.Add(na, nb) : g.Mul(na, nb);
        var got = OpRunner.Run(be, g, node, inputFirst ? a : b);
        var want = RefOps.Binary(RefOps.D(a), aShape, RefOps.D(b), bShape, kind == OpKind.Add ? (p, q) => p + q : (p, q) => p * q, out var yShape);
        Assert.That(node.Shape, Is.EqualTo(yShape), $"{what}: shape");
        TensorAssert.Close(got, want, 1e-6, 1e-5, what);
    }
}
