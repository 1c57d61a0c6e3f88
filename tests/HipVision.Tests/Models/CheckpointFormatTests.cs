using HipVision.Backends.Cpu;
using HipVision.IO;
using HipVision.Models;
using HipVision.Weights;

namespace HipVision.Tests.Models;

/// <summary>A tiny model loaded from model.safetensors and from pytorch_model.bin gives bit-identical logits.</summary>
public class CheckpointFormatTests
{
    [TestCase("tiny-vit")]
    [TestCase("tiny-beit")]
    [TestCase("tiny-mobilenet_v1")]
    [TestCase("tiny-efficientnet")]
    public void TinyModel_safetensorsAndPytorchBin_identicalLogits(string model)
    {
        var dir = Fixtures.Model(model);
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        var pixels = NpyFile.ReadFloat32(Path.Combine(dir, "pixel_values.npy"), out var shape);
        float[] Logits(IWeightSource weights)
        {
            using (weights)
            using (var plan = new CpuBackend(2).Compile(config.BuildGraph(weights, shape[0])))
            {
                plan.Run(pixels);
                var logits = new float[shape[0] * config.NumLabels];
                plan.CopyOutput("logits", logits);
                return logits;
            }
        }
        var fromSafetensors = Logits(SafeTensorsWeights.Open(Path.Combine(dir, "model.safetensors")));
        var fromBin = Logits(PyTorchCheckpoint.Open(Path.Combine(dir, "pytorch_model.bin")));
        Assert.That(fromBin, Is.EqualTo(fromSafetensors));
    }
}
