using HipVision.Conversion;
using HipVision.Imaging;
using HipVision.IO;
using HipVision.Weights;

namespace HipVision.Models;

/// <summary>
/// What a MODEL path holds, whichever form it has: a Hugging Face model directory (config.json, the weights,
/// preprocessor_config.json or the family's default) or one file written by <c>hipvision convert</c>
/// (<see cref="ConvertedModel"/>: the same three in its metadata, the weights already prepared).
/// </summary>
public sealed class ModelFiles : IDisposable
{
    ModelFiles(string path, ModelConfig config, string configJson, PreprocessorConfig preprocessor, string preprocessorJson, IWeightSource weights)
    {
        Path = path;
        Config = config;
        ConfigJson = configJson;
        Preprocessor = preprocessor;
        PreprocessorJson = preprocessorJson;
        Weights = weights;
    }

    /// <summary>The path as given.</summary>
    public string Path { get; }
    /// <summary>The parsed config.</summary>
    public ModelConfig Config { get; }
    /// <summary>config.json's text.</summary>
    public string ConfigJson { get; }
    /// <summary>The parsed preprocessor config.</summary>
    public PreprocessorConfig Preprocessor { get; }
    /// <summary>preprocessor_config.json's text (the family's default when a directory has none).</summary>
    public string PreprocessorJson { get; }
    /// <summary>The weights: Hugging Face tensors, or prepared ones (<see cref="IWeightSource.Prepared"/>). Owned: disposed with this object unless handed on.</summary>
    public IWeightSource Weights { get; }

    /// <summary>Opens a model directory or a converted file; the weights stay open (memory-mapped) until disposal.</summary>
    /// <exception cref="HipVisionException">Nothing there, or a file is missing or invalid; the message names it.</exception>
    public static ModelFiles Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path)) return OpenConverted(path);
        if (!Directory.Exists(path)) throw new HipVisionException($"{path}: no such model directory or file");
        var (config, configJson) = ReadDirectoryConfig(path);
        var (preprocessor, preprocessorJson) = ReadDirectoryPreprocessor(path, () => config);
        return new ModelFiles(path, config, configJson, preprocessor, preprocessorJson, WeightFiles.Open(path));
    }

    /// <summary>Only the config (a directory's config.json, or a converted file's metadata).</summary>
    public static ModelConfig ReadConfig(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new HipVisionException($"{path}: no such model directory or file");
        if (Directory.Exists(path)) return ReadDirectoryConfig(path).Config;
        using var files = OpenConverted(path);
        return files.Config;
    }

    /// <summary>
    /// Only the preprocessor config: a directory's preprocessor_config.json (config.json is read only when it is absent,
    /// for the family's default), or a converted file's metadata.
    /// </summary>
    public static PreprocessorConfig ReadPreprocessor(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new HipVisionException($"{path}: no such model directory or file");
        if (Directory.Exists(path)) return ReadDirectoryPreprocessor(path, () => ModelConfig.Load(System.IO.Path.Combine(path, "config.json"))).Config;
        using var files = OpenConverted(path);
        return files.Preprocessor;
    }

    static (ModelConfig Config, string Json) ReadDirectoryConfig(string directory)
    {
        var configPath = System.IO.Path.Combine(directory, "config.json");
        if (!File.Exists(configPath)) throw new HipVisionException($"{configPath}: missing (not a Hugging Face model directory)");
        var json = InputFile.ReadAllText(configPath, JsonLimits.MaxBytes, "a config.json");
        return (ModelConfig.Parse(json, configPath), json);
    }

    static (PreprocessorConfig Config, string Json) ReadDirectoryPreprocessor(string directory, Func<ModelConfig> modelConfig)
    {
        var path = System.IO.Path.Combine(directory, "preprocessor_config.json");
        if (File.Exists(path))
        {
            var json = InputFile.ReadAllText(path, JsonLimits.MaxBytes, "a preprocessor_config.json");
            return (PreprocessorConfig.Parse(json, path), json);
        }
        var config = modelConfig();
        return (PreprocessorConfig.Parse(config.DefaultPreprocessorJson, $"default preprocessor of {config.ModelType}"), config.DefaultPreprocessorJson);
    }

    static ModelFiles OpenConverted(string path)
    {
        SafeTensorsFile file;
        try
        {
            file = SafeTensorsFile.Open(path);
        }
        catch (HipVisionException e)
        {
            var reason = e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message;
            throw new HipVisionException($"{path}: neither a model directory nor a file written by 'hipvision convert' ({reason})", e);
        }
        try
        {
            var meta = ConvertedModel.Read(file);
            return new ModelFiles(path, meta.Config, meta.ConfigJson, meta.Preprocessor, meta.PreprocessorJson, new PreparedWeights(file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Releases the weights (unless handed on to a model, which then owns them).</summary>
    public void Dispose() => Weights.Dispose();
}
