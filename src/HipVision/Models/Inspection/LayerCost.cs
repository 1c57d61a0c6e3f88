using HipVision.Graph;

namespace HipVision.Models.Inspection;

/// <summary>
/// One row of an inspection: a graph node (or, with <see cref="Id"/> −1, the parameters no node reads by name).
/// <see cref="Name"/> is the node's HF prefix; unnamed nodes (residual adds, reshapes) carry the name of their
/// latest input, so a row reads as "the Add after …output.dense".
/// </summary>
/// <param name="Id">The node's id in the graph, or −1 for the unattributed-parameters row.</param>
/// <param name="Name">HF weight prefix of the layer (see above).</param>
/// <param name="Op">The operation.</param>
/// <param name="Shape">Output shape.</param>
/// <param name="Parameters">Elements of the checkpoint tensors this layer reads (each tensor counted once, at its first reader).</param>
/// <param name="Statistics">The part of <paramref name="Parameters"/> that is BatchNorm running statistics.</param>
/// <param name="Macs">Multiply-accumulates (<see cref="OpCost.Macs"/>).</param>
/// <param name="Bytes">Bytes moved at fp32 (<see cref="OpCost.Bytes"/>).</param>
public sealed record LayerCost(int Id, string Name, OpKind Op, int[] Shape, long Parameters, long Statistics, long Macs, long Bytes);
