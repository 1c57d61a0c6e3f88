using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Graph;
using HipVision.Tests.Reference;

namespace HipVision.Tests.Ops;

/// <summary>
/// Transpose (permute), Concat (torch.cat), Slice (narrow) and Expand against the index-by-index references
/// in RefOps.Shape.cs. These copy values, so the result must be exact (tolerance 0).
/// </summary>
public sealed class LayoutTests
{
    [TestCase(new[] { 1 }, new[] { 0 })]
    [TestCase(new[] { 1, 1, 1 }, new[] { 2, 0, 1 })]
    [TestCase(new[] { 7, 33 }, new[] { 1, 0 })]
    [TestCase(new[] { 7, 1 }, new[] { 1, 0 })]
    [TestCase(new[] { 2, 197, 12, 64 }, new[] { 0, 2, 1, 3 })]
    [TestCase(new[] { 2, 768, 196 }, new[] { 0, 2, 1 })]
    [TestCase(new[] { 2, 3, 5, 7 }, new[] { 3, 1, 0, 2 })]
    [TestCase(new[] { 2, 3, 5, 7 }, new[] { 0, 1, 2, 3 })]
    public void Transpose_permutations_matchReference(int[] shape, int[] perm) => TransposeCase(new CpuBackend(1), shape, perm);

    [TestCase(1, new[] { 2, 1, 768 }, new[] { 2, 196, 768 })]
    [TestCase(0, new[] { 1, 1 }, new[] { 1, 1 })]
    [TestCase(0, new[] { 3, 33 }, new[] { 4, 33 }, new[] { 1, 33 })]
    [TestCase(-1, new[] { 7, 1 }, new[] { 7, 33 }, new[] { 7, 5 })]
    [TestCase(2, new[] { 2, 3, 5, 7 }, new[] { 2, 3, 1, 7 })]
    public void Concat_axes_matchReference(int axis, params int[][] shapes) => ConcatCase(new CpuBackend(1), axis, shapes);

    [TestCase(new[] { 2, 197, 768 }, 1, 0, 1)]
    [TestCase(new[] { 1 }, 0, 0, 1)]
    [TestCase(new[] { 7, 33 }, 1, 5, 32)]
    [TestCase(new[] { 7, 33 }, 0, 3, 7)]
    [TestCase(new[] { 7, 33 }, -1, 32, 33)]
    [TestCase(new[] { 2, 3, 5, 7 }, 2, 1, 4)]
    public void Slice_ranges_matchReference(int[] shape, int axis, int start, int end) => SliceCase(new CpuBackend(1), shape, axis, start, end);

    [TestCase(new[] { 1, 1, 768 }, new[] { 2, 1, 768 })]
    [TestCase(new[] { 1, 1 }, new[] { 1, 1 })]
    [TestCase(new[] { 7, 1 }, new[] { 7, 33 })]
    [TestCase(new[] { 1, 33 }, new[] { 7, 33 })]
    [TestCase(new[] { 3, 1, 5, 1 }, new[] { 3, 4, 5, 2 })]
    public void Expand_shapes_matchReference(int[] shape, int[] to) => ExpandCase(new CpuBackend(1), shape, to);

    internal static void TransposeCase(IBackend be, int[] shape, int[] perm)
    {
        string what = $"transpose {OpRunner.Shape(shape)} perm [{string.Join(",", perm)}] on {be.Name}";
        var x = TestRandom.Create(what).Uniform(shape);
        var g = new GraphBuilder();
        var got = OpRunner.Run(be, g, g.Transpose(g.Input("x", shape), perm), x);
        TensorAssert.Close(got, RefOps.Transpose(RefOps.D(x), shape, perm), 0, 0, what);
    }

    internal static void ConcatCase(IBackend be, int axis, int[][] shapes)
    {
        string what = $"concat axis {axis} of {string.Join(" ", shapes.Select(OpRunner.Shape))} on {be.Name}";
        var rng = TestRandom.Create(what);
        var xs = shapes.Select(s => rng.Uniform(s)).ToArray();
        // The run-time input is the largest part; the others are constants (like ViT's cls token).
        int input = Array.IndexOf(shapes, shapes.MaxBy(RefOps.Count));
        var g = new GraphBuilder();
        var nodes = shapes.Select((s, i) => i == input ? g.Input("x", s) : g.Constant($"c{i}", s, xs[i])).ToArray();
        var got = OpRunner.Run(be, g, g.Concat(axis, nodes), xs[input]);
        int a = axis < 0 ? axis + shapes[0].Length : axis;
        TensorAssert.Close(got, RefOps.Concat(xs.Select(RefOps.D).ToArray(), shapes, a, out _), 0, 0, what);
    }

    internal static void SliceCase(IBackend be, int[] shape, int axis, int start, int end)
    {
        string what = $"slice {OpRunner.Shape(shape)} axis {axis} [{start},{end}) on {be.Name}";
        var x = TestRandom.Create(what).Uniform(shape);
        var g = new GraphBuilder();
        var got = OpRunner.Run(be, g, g.Slice(g.Input("x", shape), axis, start, end), x);
        TensorAssert.Close(got, RefOps.Slice(RefOps.D(x), shape, axis < 0 ? axis + shape.Length : axis, start, end), 0, 0, what);
    }

    internal static void ExpandCase(IBackend be, int[] shape, int[] to)
    {
        string what = $"expand {OpRunner.Shape(shape)} → {OpRunner.Shape(to)} on {be.Name}";
        var x = TestRandom.Create(what).Uniform(shape);
        var g = new GraphBuilder();
        var got = OpRunner.Run(be, g, g.Expand(g.Input("x", shape), to), x);
        TensorAssert.Close(got, RefOps.Expand(RefOps.D(x), shape, to), 0, 0, what);
    }
}
