namespace HipVision.Weights;

/// <summary>
/// Where model code gets its parameters, by exact Hugging Face state_dict name. Model code asks for
/// each tensor with the shape its config implies, so a checkpoint that does not fit the config fails
/// on the first wrong tensor with a message naming the source and the tensor, never later as garbage.
/// </summary>
public interface IWeightSource : IDisposable
{
    /// <summary>What error messages call this source: a file path, or e.g. "hv-synth-v2 seed 1".</summary>
    string SourceName { get; }

    /// <summary>Every tensor name the source holds (empty for a source that generates any name on demand).</summary>
    IEnumerable<string> Names { get; }

    /// <summary>True when <see cref="Get"/> can return the tensor.</summary>
    bool Contains(string name);

    /// <summary>The tensor as float32 in C order, checked against the shape the config implies.</summary>
    /// <exception cref="HipVisionException">"tensor 'x' missing", "tensor 'x' has shape [..], the config expects [..]", or a non-float tensor.</exception>
    float[] Get(string name, int[] expectedShape);

    /// <summary>
    /// True when the tensors are already in the engine's layouts (a file written by <c>hipvision convert</c>):
    /// BatchNorm folded into conv weights and bias, QKV fused, BEiT relative position bias gathered. Model code
    /// then reads those tensors by their engine names instead of computing them from the HF ones.
    /// </summary>
    bool Prepared => false;
}
