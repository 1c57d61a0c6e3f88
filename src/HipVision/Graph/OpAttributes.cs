namespace HipVision.Graph;

/// <summary>Base of the per-operation settings records.</summary>
public abstract record OpAttributes;

/// <summary>Convolution settings; padding is explicit per side (TF "SAME" is resolved by the builder).</summary>
public sealed record Conv2dAttributes(int StrideH, int StrideW, Padding2d Padding, int DilationH, int DilationW, int Groups) : OpAttributes;

/// <summary>Normalisation epsilon (LayerNorm, BatchNorm).</summary>
public sealed record EpsilonAttributes(double Epsilon) : OpAttributes;

/// <summary>Attention settings: number of heads and the score scale (1/√head_dim for HF models).</summary>
public sealed record AttentionAttributes(int Heads, float Scale) : OpAttributes;

/// <summary>Axis permutation of a transpose.</summary>
public sealed record TransposeAttributes(int[] Permutation) : OpAttributes;

/// <summary>An axis (concat, reduce).</summary>
public sealed record AxisAttributes(int Axis) : OpAttributes;

/// <summary>A range [Start, End) along Axis.</summary>
public sealed record SliceAttributes(int Axis, int Start, int End) : OpAttributes;

/// <summary>Patch size of a patch embedding.</summary>
public sealed record PatchAttributes(int PatchSize) : OpAttributes;

/// <summary>The activation between the two squeeze-excite projections.</summary>
public sealed record SqueezeExciteAttributes(OpKind Activation) : OpAttributes;
