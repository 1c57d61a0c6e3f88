// ClassifyImage: the HipVision public API on one page.
//   dotnet run --project samples/ClassifyImage -- MODEL_DIR IMAGE...
// MODEL_DIR is a Hugging Face model directory (config.json, model.safetensors, preprocessor_config.json);
// prints the five most probable labels of each image.
using HipVision;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ClassifyImage MODEL_DIR IMAGE...");
    return 2;
}
try
{
    using var model = VisionModel.Load(args[0], new VisionModelOptions { Backend = BackendKind.Auto });
    Console.WriteLine($"{model.Source}: {model.Config.ModelType}, {model.Labels.Count} labels, {model.BackendName} backend");
    foreach (var image in args[1..])
    {
        // model.Classify(image, 5) does these three steps in one call.
        float[] pixelValues = model.Preprocess(image);          // decode + resize/rescale/normalise as HF does: [3, H, W]
        float[] logits = model.Run(pixelValues, batch: 1);       // forward pass: [1, labels]
        IReadOnlyList<Prediction> top5 = model.TopK(logits, 5);  // softmax, best first
        Console.WriteLine(image);
        foreach (var p in top5) Console.WriteLine($"  {p.Probability:F4}  {p.Label}  (class {p.ClassId})");
    }
    return 0;
}
catch (HipVisionException e)  // bad model directory or image: the message is one line naming the file
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
