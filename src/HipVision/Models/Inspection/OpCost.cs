using HipVision.Graph;

namespace HipVision.Models.Inspection;

/// <summary>
/// The cost of one graph node: multiply-accumulates (one multiply-add is one MAC; bias adds, LayerNorm, softmax and
/// activations count 0) and bytes moved at fp32 (every input read, constants included, plus the output written).
/// BatchNorm counts one MAC per element: at inference it is exactly x·scale + shift per channel, and the published
/// figures (fvcore, as timm reports them) count it so; it is 1.7% of EfficientNet-B0. HipVision's compile folds it
/// into the convolution, so the engine itself never pays it.
/// </summary>
public static class OpCost
{
    /// <summary>Bytes per element of the float32 tensors the graph holds.</summary>
    public const int ElementBytes = sizeof(float);

    /// <summary>
    /// Linear: rows·in·out. Conv2d: output elements·(in/groups)·kh·kw. PatchEmbedding: B·tokens·D·C·P·P.
    /// Attention: 2·B·H·T·T·d (Q·Kᵀ and P·V; the projections are their own Linear nodes). SqueezeExcite: its two
    /// fully connected layers, 2·B·C·R. BatchNorm: one per element. Everything else: 0.
    /// </summary>
    public static long Macs(Node n)
    {
        switch (n.Kind)
        {
            case OpKind.Linear:
            {
                var w = n.Inputs[1].Shape;
                return n.Inputs[0].ElementCount / w[1] * w[1] * w[0];
            }
            case OpKind.Conv2d:
            {
                var w = n.Inputs[1].Shape;
                return n.ElementCount * w[1] * w[2] * w[3];
            }
            case OpKind.PatchEmbedding:
            {
                var w = n.Inputs[1].Shape;
                return n.ElementCount * w[1] * w[2] * w[3];
            }
            case OpKind.Attention:
            {
                int b = n.Shape[0], t = n.Shape[1], d = n.Shape[2];
                return 2L * b * t * t * d;
            }
            case OpKind.SqueezeExcite:
                return 2L * n.Shape[0] * n.Inputs[1].ElementCount;
            case OpKind.BatchNorm:
                return n.ElementCount;
            default:
                return 0;
        }
    }

    /// <summary>Operations that contract over an input dimension: matrix products, convolutions, attention, squeeze-excite.</summary>
    public static bool IsContraction(OpKind kind) =>
        kind is OpKind.Linear or OpKind.Conv2d or OpKind.PatchEmbedding or OpKind.Attention or OpKind.SqueezeExcite;

    /// <summary>
    /// Bytes read and written: every input (activations and the constants the node reads) plus the output.
    /// Reshape is a view and moves nothing; inputs and constants themselves are not operations and move nothing.
    /// </summary>
    public static long Bytes(Node n) => n.Kind switch
    {
        OpKind.Input or OpKind.Constant or OpKind.Reshape => 0,
        _ => (n.Inputs.Sum(i => i.ElementCount) + n.ElementCount) * ElementBytes,
    };
}
