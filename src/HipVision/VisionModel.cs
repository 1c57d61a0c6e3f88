using HipVision.Backends;
using HipVision.Backends.Cpu;
using HipVision.Backends.Hip;
using HipVision.Imaging;
using HipVision.Models;
using HipVision.Weights;

namespace HipVision;

/// <summary>
/// An image classifier loaded from a Hugging Face model directory (config.json, preprocessor_config.json,
/// model.safetensors) or a file written by <c>hipvision convert</c>, or built with synthetic weights: preprocessing
/// exactly as the HF image processor does it, the model on the chosen backend, softmax and top-k.
/// </summary>
/// <remarks>
/// Thread safety: one instance may be shared by concurrent callers. Runs are serialised (each compiled plan
/// owns one activation arena), so concurrent calls are correct but do not run in parallel; use one instance
/// per thread for parallel throughput (the CPU backend already uses every core within a run).
/// Execution plans are compiled on first use for each batch size and kept until disposal.
/// </remarks>
public sealed class VisionModel : IDisposable
{
    readonly IWeightSource _weights;
    readonly IBackend _backend;
    readonly Dictionary<int, IExecutionPlan> _plans = [];
    readonly Lock _lock = new();
    bool _disposed;

    VisionModel(ModelConfig config, PreprocessorConfig preprocessor, IWeightSource weights, VisionModelOptions options, string source)
    {
        Config = config;
        Processor = new ImageProcessor(preprocessor);
        _weights = new CachedWeights(weights);
        Options = options;
        Source = source;
        var (channels, height, width) = config.InputSize;
        if (Processor.HasFixedOutputSize && (Processor.OutputHeight != height || Processor.OutputWidth != width || channels != 3))
            throw new HipVisionException($"{source}: the preprocessor produces {Processor.OutputWidth}x{Processor.OutputHeight} images, the model expects {width}x{height} with {channels} channels");
        (_backend, BackendReason) = BackendSelector.Create(options.Backend, options.Threads, () => config.BuildGraph(new RecordingWeights(), 1), options.Precision);
    }

    /// <summary>
    /// Loads a Hugging Face-format model directory: config.json, the weights (model.safetensors, a sharded
    /// model.safetensors.index.json, or else pytorch_model.bin, read without executing its pickle) and
    /// preprocessor_config.json (the family's hub default when absent); or one file written by
    /// <c>hipvision convert</c>, whose tensors are used as they are (<see cref="ModelFiles"/>). A Hugging Face hub id
    /// <c>owner/name</c> that is not a local path loads from the hub cache, pulled on first use (<see cref="Hub.ModelLocator"/>).
    /// </summary>
    /// <exception cref="HipVisionException">A file is missing or invalid; the message names it.</exception>
    public static VisionModel Load(string path, VisionModelOptions? options = null)
    {
        path = Hub.ModelLocator.Locate(path, options?.Hub);
        var files = ModelFiles.Open(path);
        VisionModel? model = null;
        try
        {
            model = new VisionModel(files.Config, files.Preprocessor, files.Weights, options ?? new(), path);
            model.Plan(1); // fail now, not at the first image, when the checkpoint does not fit the config (or the backend)
            return model;
        }
        catch
        {
            if (model != null) model.Dispose();
            else files.Dispose();
            throw;
        }
    }

    /// <summary>A model with <c>hv-synth-v2</c> weights for <paramref name="seed"/> (benchmarks, trying the pipeline).</summary>
    public static VisionModel CreateSynthetic(ModelConfig config, ulong seed, VisionModelOptions? options = null) =>
        new(config, PreprocessorConfig.Parse(config.DefaultPreprocessorJson, "synthetic"), new SyntheticWeights(seed), options ?? new(), $"hv-synth-v2 seed {seed}");

    /// <summary>The model's configuration (family, sizes, labels).</summary>
    public ModelConfig Config { get; }

    /// <summary>The image processor (resize, crop, rescale, normalise) the model was trained with.</summary>
    public ImageProcessor Processor { get; }

    /// <summary>The options the model was loaded with.</summary>
    public VisionModelOptions Options { get; }

    /// <summary>Where the model came from (directory, or the synthetic seed).</summary>
    public string Source { get; }

    /// <summary>Class labels, index = class id.</summary>
    public IReadOnlyList<string> Labels => Config.Labels;

    /// <summary>The backend actually used ("cpu", "hip").</summary>
    public string BackendName => _backend.Name;

    /// <summary>Why that backend: "requested", or what <see cref="BackendKind.Auto"/> found (GPU name, or why not the GPU).</summary>
    public string BackendReason { get; }

    /// <summary>The device of the HIP backend (vendor build, ordinal, warp width), or null on the CPU.</summary>
    public string? DeviceName => (_backend as HipBackend)?.DeviceName;

    /// <summary>What each dense convolution prepared on the HIP backend runs (<see cref="HipBackend.TuningReport"/>), or null on the CPU.</summary>
    internal string? TuningReport => (_backend as HipBackend)?.TuningReport;

    /// <summary>CPU threads per operation.</summary>
    public int Threads => _backend is CpuBackend cpu ? cpu.Threads : 0;

    /// <summary>Values per image of pixel_values: channels × height × width.</summary>
    public int ImageValues => Config.InputSize.Channels * Config.InputSize.Height * Config.InputSize.Width;

    /// <summary>Decodes and preprocesses an image file into pixel_values [3, H, W].</summary>
    public float[] Preprocess(string imagePath) => Processor.Preprocess(ImageLoader.Load(imagePath));

    /// <summary>Decodes and preprocesses an encoded image (JPEG, PNG, BMP, GIF, WebP) from a stream.</summary>
    public float[] Preprocess(Stream image, string sourceName = "stream") => Processor.Preprocess(ImageLoader.Load(image, sourceName));

    /// <summary>Decodes and preprocesses an encoded image held in memory.</summary>
    public float[] Preprocess(byte[] image, string sourceName = "bytes") => Processor.Preprocess(ImageLoader.Load(image, sourceName));

    /// <summary>Runs the model on <paramref name="batch"/> images of pixel_values (C order) and returns the logits [batch, labels].</summary>
    public float[] Run(ReadOnlySpan<float> pixelValues, int batch)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be positive");
        if (pixelValues.Length != (long)batch * ImageValues)
            throw new ArgumentException($"pixel_values holds {pixelValues.Length} values; {batch} images of {Config.InputSize} need {(long)batch * ImageValues}", nameof(pixelValues));
        var logits = new float[batch * Config.NumLabels];
        lock (_lock)
        {
            var plan = Plan(batch);
            plan.Run(pixelValues);
            plan.CopyOutput("logits", logits);
        }
        return logits;
    }

    /// <summary>Classifies one image file: the <paramref name="top"/> most probable classes, best first.</summary>
    public IReadOnlyList<Prediction> Classify(string imagePath, int top = 5) => TopK(Run(1, _ => ImageLoader.Load(imagePath)), top);

    /// <summary>Classifies one encoded image from a stream.</summary>
    public IReadOnlyList<Prediction> Classify(Stream image, int top = 5, string sourceName = "stream") => TopK(Run(1, _ => ImageLoader.Load(image, sourceName)), top);

    /// <summary>Classifies one encoded image held in memory.</summary>
    public IReadOnlyList<Prediction> Classify(byte[] image, int top = 5, string sourceName = "bytes") => TopK(Run(1, _ => ImageLoader.Load(image, sourceName)), top);

    /// <summary>
    /// True when the classify methods preprocess on the device: the HIP backend with a processor of fixed output size (the
    /// decoded uint8 image is uploaded and <c>hv_preprocess</c> writes the plan's input; the same values as <see cref="Preprocess(string)"/>).
    /// </summary>
    public bool PreprocessesOnDevice => _backend is HipBackend && Processor.HasFixedOutputSize;

    /// <summary>The logits of <paramref name="n"/> decoded images, preprocessed on the device when <see cref="PreprocessesOnDevice"/>, else on the host.</summary>
    /// <remarks>Images are decoded one at a time by <paramref name="image"/> (only one decoded image is held at once).</remarks>
    float[] Run(int n, Func<int, RgbImage> image)
    {
        if (!PreprocessesOnDevice)
        {
            var pixels = new float[n * ImageValues];
            for (int i = 0; i < n; i++) Processor.Preprocess(image(i), pixels.AsSpan(i * ImageValues, ImageValues));
            return Run(pixels, n);
        }
        var logits = new float[n * Config.NumLabels];
        lock (_lock)
        {
            var plan = (HipExecutionPlan)Plan(n);
            _devicePreprocessor ??= ((HipBackend)_backend).Preprocessor(Processor);
            for (int i = 0; i < n; i++) _devicePreprocessor.Preprocess(image(i), plan.InputBuffer, i);
            plan.RunOnDeviceInput();
            plan.CopyOutput("logits", logits);
        }
        return logits;
    }

    HipPreprocessor? _devicePreprocessor;

    /// <summary>Classifies many image files, <see cref="VisionModelOptions.BatchSize"/> per forward pass; results in input order.</summary>
    public IReadOnlyList<IReadOnlyList<Prediction>> Classify(IReadOnlyList<string> imagePaths, int top = 5)
    {
        var results = new List<IReadOnlyList<Prediction>>(imagePaths.Count);
        int batchSize = Math.Max(1, Options.BatchSize);
        for (int start = 0; start < imagePaths.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, imagePaths.Count - start);
            var logits = Run(n, i => ImageLoader.Load(imagePaths[start + i]));
            for (int i = 0; i < n; i++) results.Add(TopK(logits.AsSpan(i * Config.NumLabels, Config.NumLabels), top));
        }
        return results;
    }

    /// <summary>Softmax of one row of logits and its <paramref name="top"/> best classes (computed in double).</summary>
    public IReadOnlyList<Prediction> TopK(ReadOnlySpan<float> logits, int top)
    {
        double max = double.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (var v in logits) sum += Math.Exp(v - max);
        var order = Enumerable.Range(0, logits.Length).ToArray();
        var values = logits.ToArray();
        Array.Sort(order, (a, b) => values[b].CompareTo(values[a]) is var c && c != 0 ? c : a.CompareTo(b));
        return order.Take(Math.Clamp(top, 0, logits.Length))
                    .Select(i => new Prediction(i, Labels[i], Math.Exp(values[i] - max) / sum)).ToArray();
    }

    /// <summary>The compiled plan for a batch size (compiled on first use); exposes peak memory and profiling.</summary>
    public IExecutionPlan Plan(int batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_lock)
        {
            if (!_plans.TryGetValue(batch, out var plan))
                _plans[batch] = plan = _backend.Compile(b => Config.BuildGraph(_weights, b), batch);
            return plan;
        }
    }

    /// <summary>Releases the plans and the memory-mapped weights.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var plan in _plans.Values) plan.Dispose();
            _plans.Clear();
            (_backend as IDisposable)?.Dispose();
            _weights.Dispose();
        }
    }

    /// <summary>Reads each tensor once, so plans for several batch sizes share (and pack once) the same arrays.</summary>
    sealed class CachedWeights(IWeightSource inner) : IWeightSource
    {
        readonly Dictionary<string, float[]> _cache = [];
        public string SourceName => inner.SourceName;
        public IEnumerable<string> Names => inner.Names;
        public bool Contains(string name) => inner.Contains(name);
        public bool Prepared => inner.Prepared;
        public float[] Get(string name, int[] expectedShape)
        {
            if (!_cache.TryGetValue(name, out var data)) _cache[name] = data = inner.Get(name, expectedShape);
            return data;
        }
        public void Dispose() => inner.Dispose();
    }
}
