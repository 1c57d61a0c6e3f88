using HipVision.Backends.Cpu.Ops;
using HipVision.Graph;

namespace HipVision.Backends.Cpu;

/// <summary>
/// Which 4-D tensors the CPU plan keeps channels-last (NHWC) instead of the graph's NCHW. In NHWC a 1×1
/// convolution is a plain GEMM of the [pixels, C] activation against the packed weight (the SGEMM's fast
/// path), and depthwise convolution, squeeze-excite and pooling vectorise over contiguous channels.
/// Rules: dense convolutions produce NHWC (they read either layout), depthwise ones when their input is NHWC; an activation,
/// squeeze-excite, or a same-shape add/mul is NHWC when its inputs are. A tensor stays NCHW when any reader
/// cannot take NHWC (reshape, slice, BatchNorm left unfolded, ...), and that choice propagates back to the
/// producers until nothing changes. The graph input stays NCHW; NHWC graph outputs are converted on copy-out.
/// With <c>convertInput</c> (the HIP plan, whose depthwise and squeeze-excite kernels take NHWC only) a depthwise conv or
/// squeeze-excite reading the graph input is NHWC too: its step converts the input first.
/// </summary>
internal sealed class ChannelsLastLayout
{
    readonly HashSet<Node> _nhwc = [];

    public static ChannelsLastLayout Find(ModelGraph graph, bool convertInput = false)
    {
        var layout = new ChannelsLastLayout();
        var readers = new Dictionary<Node, List<Node>>();
        foreach (var node in graph.Nodes)
            foreach (var input in node.Inputs)
                (readers.TryGetValue(input, out var list) ? list : readers[input] = []).Add(node);
        var forcedNchw = new HashSet<Node>();
        bool changed = true;
        while (changed)
        {
            changed = false;
            layout._nhwc.Clear();
            foreach (var node in graph.Nodes)
                if (!forcedNchw.Contains(node) && Produces(node, layout._nhwc, convertInput)) layout._nhwc.Add(node);
            foreach (var node in layout._nhwc)
                if (readers.GetValueOrDefault(node, []).Any(r => !Accepts(r, node, layout._nhwc)))
                    changed |= forcedNchw.Add(node);
        }
        return layout;
    }

    /// <summary>True when <paramref name="node"/>'s storage is [B, H, W, C].</summary>
    public bool IsNhwc(Node node) => _nhwc.Contains(node);

    /// <summary>The shape of the node's storage: [B, H, W, C] for NHWC nodes, the graph's shape otherwise.</summary>
    public int[] StorageShape(Node node) => IsNhwc(node) ? [node.Shape[0], node.Shape[2], node.Shape[3], node.Shape[1]] : node.Shape;

    static bool Produces(Node node, HashSet<Node> nhwc, bool convertInput) => node.Kind switch
    {
        OpKind.Conv2d => node.Attr<Conv2dAttributes>().Groups == 1 || (DepthwiseConv2dStep.Supports(node) && NhwcOrConverted(node.Inputs[0], nhwc, convertInput)),
        OpKind.SqueezeExcite => NhwcOrConverted(node.Inputs[0], nhwc, convertInput),
        OpKind.Relu6 or OpKind.Silu or OpKind.Gelu or OpKind.Sigmoid => nhwc.Contains(node.Inputs[0]),
        OpKind.Add or OpKind.Mul => node.Shape.Length == 4 && node.Inputs.All(i => nhwc.Contains(i) && i.Shape.SequenceEqual(node.Shape)),
        _ => false,
    };

    static bool NhwcOrConverted(Node input, HashSet<Node> nhwc, bool convertInput) =>
        nhwc.Contains(input) || (convertInput && input.Kind == OpKind.Input);

    // Whether reader can consume input in NHWC: it is itself NHWC-aware for that operand.
    static bool Accepts(Node reader, Node input, HashSet<Node> nhwc) => reader.Kind switch
    {
        OpKind.Conv2d => reader.Inputs[0] == input && nhwc.Contains(reader),
        OpKind.GlobalAvgPool => true,
        OpKind.SqueezeExcite => reader.Inputs[0] == input && nhwc.Contains(reader),
        OpKind.Relu6 or OpKind.Silu or OpKind.Gelu or OpKind.Sigmoid or OpKind.Add or OpKind.Mul => nhwc.Contains(reader),
        _ => false,
    };
}
