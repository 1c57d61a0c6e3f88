namespace HipVision;

/// <summary>One class of a classification result: its index, its label and its softmax probability.</summary>
/// <param name="ClassId">Index into the model's labels.</param>
/// <param name="Label">The label (id2label of the model's config).</param>
/// <param name="Probability">Softmax of the logits, in [0, 1].</param>
public sealed record Prediction(int ClassId, string Label, double Probability);
