using HipVision.Backends.Cpu.Ops;
using HipVision.Graph;

namespace HipVision.Backends.Cpu;

/// <summary>
/// Which squeeze-excite nodes hand their channel scale to the 1×1 convolution after them instead of scaling their
/// input: y = (x ⊙ e)·W = x·(diag(e)·W), so the convolution multiplies by a copy of its packed weight with row c
/// scaled by e[c] (K·N multiplies per image) and the excite step never writes x ⊙ e (P·K reads and writes).
/// Fused when the reader is the SE node's only reader, a direct (1×1, stride 1, unpadded) channels-last
/// convolution, the SE output is not a graph output, and the image has more pixels than the convolution has
/// output channels (P &gt; N, so that scaling the weight costs less than scaling the activation).
/// The SE node then shares its input's storage, as a fused activation does.
/// </summary>
internal sealed class ExciteFusion
{
    readonly Dictionary<Node, Node> _exciteOf = []; // 1×1 convolution → the SE node whose scale it applies
    readonly HashSet<Node> _fused = [];

    public static ExciteFusion Find(ModelGraph graph, ChannelsLastLayout layout)
    {
        var readers = new Dictionary<Node, List<Node>>();
        foreach (var node in graph.Nodes)
            foreach (var input in node.Inputs)
                (readers.TryGetValue(input, out var list) ? list : readers[input] = []).Add(node);
        var outputs = graph.Outputs.Select(o => o.Node).ToHashSet();
        var fusion = new ExciteFusion();
        foreach (var se in graph.Nodes)
        {
            if (se.Kind != OpKind.SqueezeExcite || !layout.IsNhwc(se) || outputs.Contains(se)) continue;
            if (readers.GetValueOrDefault(se) is not [var conv] || conv.Kind != OpKind.Conv2d || conv.Inputs[0] != se || !layout.IsNhwc(conv)) continue;
            var a = conv.Attr<Conv2dAttributes>();
            var w = conv.Inputs[1].Shape;
            if (a.Groups != 1 || !Conv2dNhwcStep.IsDirect(true, w[2], w[3], a)) continue;
            if ((long)conv.Shape[2] * conv.Shape[3] <= conv.Shape[1]) continue;
            fusion._exciteOf[conv] = se;
            fusion._fused.Add(se);
        }
        return fusion;
    }

    /// <summary>True for a squeeze-excite node whose scale the next convolution applies (its output is a view of its input).</summary>
    public bool IsFused(Node squeezeExcite) => _fused.Contains(squeezeExcite);

    /// <summary>For a 1×1 convolution, the squeeze-excite node whose scale it applies; null otherwise.</summary>
    public Node? ExciteOf(Node conv) => _exciteOf.GetValueOrDefault(conv);
}
