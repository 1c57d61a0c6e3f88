namespace HipVision.Hub;

/// <summary>
/// Turns what a user gives as a model, a local directory or a hub id <c>owner/name</c>, into a local model
/// directory. An existing path always wins; <c>owner/name</c> that is not a local path is looked up in the hub
/// cache and pulled on first use (later uses take the cached snapshot without asking the hub; an explicit
/// <see cref="ModelPuller.Pull"/> checks for a newer commit). Anything else is returned as given, so the loader
/// reports the missing directory in its own words.
/// </summary>
public static class ModelLocator
{
    /// <summary>True when <paramref name="model"/> is no existing path but has the shape of a hub id.</summary>
    public static bool IsHubId(string model) =>
        !Directory.Exists(model) && !File.Exists(model) && HubRepoId.TryParse(model, out _);

    /// <summary>The local directory for <paramref name="model"/> (see the type's summary).</summary>
    /// <exception cref="HipVisionException">A hub id that is neither cached nor pullable; the message says why.</exception>
    public static string Locate(string model, HubOptions? options = null, string revision = ModelPuller.DefaultRevision)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!IsHubId(model)) return model;
        var repo = HubRepoId.Parse(model);
        using var puller = new ModelPuller(options ?? HubOptions.FromEnvironment());
        if (puller.FindCached(repo, revision, out _) is { } cached) return cached;
        try
        {
            return puller.Pull(repo, revision);
        }
        catch (HipVisionException e)
        {
            throw new HipVisionException($"{model} is not a local directory; as a Hugging Face hub id: {e.Message}", e);
        }
    }
}
