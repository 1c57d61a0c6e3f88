namespace HipVision.Conversion;

/// <summary>
/// How a converted file stores its tensors. The CPU backend computes in fp32 whatever the file holds: fp16 and
/// bf16 halve the file and its reading, and are widened to fp32 (exactly) when the model loads.
/// </summary>
public enum WeightPrecision
{
    /// <summary>IEEE single precision, as the engine computes: logits bit-identical to the Hugging Face directory.</summary>
    Fp32,
    /// <summary>IEEE half precision (11-bit significand, |x| ≤ 65504), rounded to nearest even.</summary>
    Fp16,
    /// <summary>bfloat16 (8-bit significand, fp32's range), rounded to nearest even.</summary>
    Bf16,
}
