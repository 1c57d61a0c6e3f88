namespace HipVision.Models;

/// <summary>Configurations of the hub models, by name: the short name (vit-base-patch16-224) or the hub id (google/vit-base-patch16-224).</summary>
public static class ModelPresets
{
    static readonly (string Name, string HubId, Func<ModelConfig> Create)[] All =
    [
        ("vit-base-patch16-224", "google/vit-base-patch16-224", () => VitConfig.VitBasePatch16_224),
        ("beit-base-patch16-224", "microsoft/beit-base-patch16-224", () => BeitConfig.BeitBasePatch16_224),
        ("efficientnet-b0", "google/efficientnet-b0", () => EfficientNetConfig.B0),
        ("efficientnet-b1", "google/efficientnet-b1", () => EfficientNetConfig.B1),
        ("efficientnet-b2", "google/efficientnet-b2", () => EfficientNetConfig.B2),
        ("efficientnet-b3", "google/efficientnet-b3", () => EfficientNetConfig.B3),
        ("efficientnet-b4", "google/efficientnet-b4", () => EfficientNetConfig.B4),
        ("efficientnet-b5", "google/efficientnet-b5", () => EfficientNetConfig.B5),
        ("efficientnet-b6", "google/efficientnet-b6", () => EfficientNetConfig.B6),
        ("efficientnet-b7", "google/efficientnet-b7", () => EfficientNetConfig.B7),
        ("mobilenet_v1_1.0_224", "google/mobilenet_v1_1.0_224", () => MobileNetV1Config.MobileNetV1_1_0_224),
        ("mobilenet_v1_0.75_192", "google/mobilenet_v1_0.75_192", () => MobileNetV1Config.MobileNetV1_0_75_192),
    ];

    /// <summary>The short names, for help texts and errors.</summary>
    public static IReadOnlyList<string> Names => All.Select(p => p.Name).ToArray();

    /// <summary>The preset of that name or hub id.</summary>
    /// <exception cref="HipVisionException">Unknown name; the message lists the known ones.</exception>
    public static ModelConfig Get(string name)
    {
        foreach (var p in All)
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(p.HubId, name, StringComparison.OrdinalIgnoreCase))
                return p.Create();
        throw new HipVisionException($"unknown architecture '{name}' (known: {string.Join(", ", Names)})");
    }
}
