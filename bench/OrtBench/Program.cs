// OrtBench: times ONNX Runtime (CPU execution provider) on an ONNX image classifier
// and prints one JSON line in the same shape as bench/torch_cpu.py and `hipvision bench --json`.
//
//   dotnet run -c Release --project bench/OrtBench -- --model bench/models/vit_b_16.onnx \
//       --batch 1 --threads 2 --iterations 20 --warmup 3
//   dotnet run -c Release --project bench/OrtBench -- --model bench/models/efficientnet_b7.onnx \
//       --model-name efficientnet_b7 --size 600 --batch 1 --threads 2 --iterations 10 --warmup 3
// Without --size the input side is read from the model's input shape (batch, 3, S, S).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

static class Program
{
    static int Main(string[] args)
    {
        string model = "bench/models/vit_b_16.onnx";
        string? modelName = null;   // default: the ONNX file's name without extension
        float? fill = null;
        int batch = 1, threads = 2, iterations = 20, warmup = 3, size = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"missing value for {args[i]}");
            switch (args[i])
            {
                case "--model": model = Next(); break;
                case "--model-name": modelName = Next(); break;
                case "--batch": batch = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--iterations": iterations = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--fill": fill = float.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--size": size = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "-h" or "--help":
                    Console.WriteLine("ortbench --model PATH [--batch B] [--threads N] [--iterations K] [--warmup W] [--size S (default: from the model, else 224)] [--model-name NAME] [--fill V]");
                    return 0;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        if (!File.Exists(model))
        {
            Console.Error.WriteLine($"model not found: {model} (run bench/export_onnx.py first)");
            return 1;
        }

        modelName ??= Path.GetFileNameWithoutExtension(model);

        using var opts = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // Thread spinning is left at ONNX Runtime's default (on): this is what a user gets out of the box.
        using var session = new InferenceSession(model, opts);

        string inputName = session.InputMetadata.Keys.First();
        string outputName = session.OutputMetadata.Keys.First();
        if (size <= 0)
        {
            var dims = session.InputMetadata[inputName].Dimensions;
            size = dims.Length == 4 && dims[2] > 0 ? dims[2] : 224;
        }

        // Deterministic synthetic input in [-1, 1): the same for every run.
        var data = new float[batch * 3 * size * size];
        var rng = new Random(1234);
        for (int i = 0; i < data.Length; i++) data[i] = fill ?? (float)(rng.NextDouble() * 2 - 1);
        var input = new DenseTensor<float>(data, new[] { batch, 3, size, size });
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(inputName, input) };

        int outElems = 0;
        float[] head = Array.Empty<float>();
        for (int w = 0; w < Math.Max(1, warmup); w++)
        {
            using var r = session.Run(inputs);
            var t = r.First().AsTensor<float>();
            outElems = (int)t.Length;
            head = t.ToArray().Take(4).ToArray();
        }

        var times = new double[iterations];
        var sw = new Stopwatch();
        for (int k = 0; k < iterations; k++)
        {
            sw.Restart();
            using var r = session.Run(inputs, new[] { outputName });
            sw.Stop();
            times[k] = sw.Elapsed.TotalMilliseconds;
        }

        var sorted = times.OrderBy(t => t).ToArray();
        double median = Percentile(sorted, 0.5);
        double p90 = Percentile(sorted, 0.9);
        var json = new Dictionary<string, object>
        {
            ["engine"] = "onnxruntime",
            ["model"] = modelName,
            ["input_size"] = size,
            ["batch"] = batch,
            ["threads"] = threads,
            ["iterations"] = iterations,
            ["median_ms"] = Math.Round(median, 3),
            ["p90_ms"] = Math.Round(p90, 3),
            ["min_ms"] = Math.Round(sorted[0], 3),
            ["images_per_s"] = Math.Round(batch * 1000.0 / median, 3),
            ["onnxruntime"] = OrtEnv.Instance().GetVersionString(),
            ["output_elements"] = outElems,
            ["logits_head"] = head.Select(v => Math.Round((double)v, 5)).ToArray(),
        };
        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    // Linear interpolation between closest ranks (same as numpy.percentile's default).
    static double Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 1) return sorted[0];
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
