namespace HipVision.Graph;

/// <summary>The operations a <see cref="ModelGraph"/> can hold. Every backend implements all of them.</summary>
public enum OpKind
{
    /// <summary>A graph input (fed at run time).</summary>
    Input,
    /// <summary>A constant tensor (weights), owned by the graph.</summary>
    Constant,
    /// <summary>y = x·Wᵀ + b over the last dimension; W is [out, in] like torch.nn.Linear.</summary>
    Linear,
    /// <summary>2-D convolution, NCHW, with groups (depthwise when groups == channels) and explicit 4-sided padding.</summary>
    Conv2d,
    /// <summary>Inference BatchNorm over dimension 1; folded into a preceding Conv2d when the graph is compiled.</summary>
    BatchNorm,
    /// <summary>LayerNorm over the last dimension (biased variance).</summary>
    LayerNorm,
    /// <summary>GELU with the exact erf form.</summary>
    Gelu,
    /// <summary>min(max(x, 0), 6).</summary>
    Relu6,
    /// <summary>x·sigmoid(x) (SiLU / swish).</summary>
    Silu,
    /// <summary>1 / (1 + e^−x).</summary>
    Sigmoid,
    /// <summary>Softmax over the last dimension.</summary>
    Softmax,
    /// <summary>Multi-head scaled dot-product attention over a fused [B, T, 3·D] QKV tensor, optional additive bias.</summary>
    Attention,
    /// <summary>Elementwise a + b with NumPy broadcasting.</summary>
    Add,
    /// <summary>Elementwise a · b with NumPy broadcasting.</summary>
    Mul,
    /// <summary>Same data, new shape.</summary>
    Reshape,
    /// <summary>Axis permutation.</summary>
    Transpose,
    /// <summary>Concatenation along one axis.</summary>
    Concat,
    /// <summary>A contiguous range [start, end) along one axis.</summary>
    Slice,
    /// <summary>Broadcast dimensions of size 1 to a larger shape.</summary>
    Expand,
    /// <summary>Mean over one axis (the axis is removed).</summary>
    ReduceMean,
    /// <summary>Mean over H and W of an NCHW tensor → [B, C].</summary>
    GlobalAvgPool,
    /// <summary>Non-overlapping P×P patches of an NCHW image projected to D channels → [B, patches, D].</summary>
    PatchEmbedding,
    /// <summary>Squeeze-and-excitation: x · sigmoid(W2·act(W1·mean_hw(x) + b1) + b2) per channel.</summary>
    SqueezeExcite,
}
