namespace HipVision.Models.Inspection;

/// <summary>Picks the lesson for a model's family by its HF <c>model_type</c>; one file per family holds each.</summary>
static class FamilyLessons
{
    public static ModelLesson? For(ModelConfig config, ModelInspection inspection) => config.ModelType switch
    {
        "vit" or "beit" => TransformerLesson.Create(inspection),
        "mobilenet_v1" => MobileNetLesson.Create(config, inspection),
        "efficientnet" => EfficientNetLesson.Create(config, inspection),
        _ => null,
    };
}
