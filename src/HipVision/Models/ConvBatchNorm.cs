using HipVision.Graph;

namespace HipVision.Models;

/// <summary>
/// HF's bias-free Conv2d followed by an inference BatchNorm, the conv layer of MobileNetV1 and EfficientNet.
/// From a Hugging Face source: the two nodes, which the backend folds into one conv when it compiles the graph
/// (<see cref="BatchNormFolding"/>). From a prepared source: that one conv, with the weight and bias the same
/// pass folded when the file was written, read under the names the pass gives them.
/// </summary>
internal static class ConvBatchNorm
{
    /// <summary>Conv2d [out, in/groups, k, k] then BatchNorm(eps), or the folded conv of a prepared source.</summary>
    public static Node Build(GraphBuilder g, WeightScope conv, WeightScope bn, Node x, int outChannels, int inChannels, int kernel, int stride,
        Padding2d padding, int groups, double eps)
    {
        int[] shape = [outChannels, inChannels / groups, kernel, kernel];
        if (conv.Prepared)
            return g.Conv2d(x, conv.TensorNamed(BatchNormFolding.FoldedWeightName(conv.Name("weight")), shape),
                bn.TensorNamed(BatchNormFolding.FoldedBiasName(bn.Prefix), outChannels), stride, padding, groups, name: conv.Prefix);
        var h = g.Conv2d(x, conv.Tensor("weight", shape), null, stride, padding, groups, name: conv.Prefix);
        return g.BatchNorm(h, bn.Tensor("weight", outChannels), bn.Tensor("bias", outChannels),
            bn.Tensor("running_mean", outChannels), bn.Tensor("running_var", outChannels), eps, bn.Prefix);
    }
}
