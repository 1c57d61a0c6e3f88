namespace HipVision;

/// <summary>
/// How tensors are stored: in a converted weight file, and on the GPU by the HIP backend, which keeps weights and activations
/// in this type and computes every op in fp32 inside (loads widen, stores round to nearest even). The CPU backend computes
/// in fp32 only. The values are the native library's <c>hv_dtype</c> (native/include/hipvision.h), value for value, so the
/// interop passes this enum as it is. Names, conversions and tolerances: <see cref="Precisions"/>.
/// </summary>
public enum Precision
{
    /// <summary>IEEE single precision (<c>HV_DTYPE_FLOAT32</c>): what the engine computes in; logits within 1e-4 of transformers.</summary>
    Fp32 = 0,
    /// <summary>IEEE half precision (<c>HV_DTYPE_FLOAT16</c>): 11-bit significand, |x| ≤ 65504, rounded to nearest even.</summary>
    Fp16 = 1,
    /// <summary>bfloat16 (<c>HV_DTYPE_BFLOAT16</c>): the upper half of a float32 (8-bit significand, fp32's range), rounded to nearest even.</summary>
    Bf16 = 2,
}
