namespace HipVision.Interop;

/// <summary>The native library's <c>hv_activation</c> (native/include/hipvision.h), value for value: the epilogue of <c>hv_linear</c>, the convolutions and <c>hv_batch_norm</c>, and <c>hv_activate</c>'s function.</summary>
public enum NativeActivation
{
    /// <summary><c>HV_ACTIVATION_NONE</c>.</summary>
    None = 0,
    /// <summary><c>HV_ACTIVATION_GELU</c>: exact erf GELU (torch.nn.GELU(), HF "gelu").</summary>
    Gelu = 1,
    /// <summary><c>HV_ACTIVATION_RELU</c>: max(x, 0).</summary>
    Relu = 2,
    /// <summary><c>HV_ACTIVATION_RELU6</c>: min(max(x, 0), 6).</summary>
    Relu6 = 3,
    /// <summary><c>HV_ACTIVATION_SILU</c>: x·sigmoid(x).</summary>
    Silu = 4,
    /// <summary><c>HV_ACTIVATION_SIGMOID</c>: 1/(1 + e^−x).</summary>
    Sigmoid = 5,
}
