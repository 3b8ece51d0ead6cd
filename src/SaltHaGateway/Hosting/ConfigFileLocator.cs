namespace SaltHaGateway.Hosting;

/// <summary>Where the config file is when <c>--config</c> is not given: the system location if it exists, else the
/// repository's default config (so the README's run command works from a fresh checkout).</summary>
public static class ConfigFileLocator
{
    public const string SystemPath = "/etc/salt-ha-gateway/gateway.json";
    public const string DefaultPath = "config/gateway.json";

    public static string Resolve(string? explicitPath)
    {
        if (!string.IsNullOrEmpty(explicitPath)) return Path.GetFullPath(explicitPath);
        if (File.Exists(SystemPath)) return SystemPath;
        if (File.Exists(DefaultPath)) return Path.GetFullPath(DefaultPath);
        var besideBinary = Path.Combine(AppContext.BaseDirectory, DefaultPath);
        return File.Exists(besideBinary) ? besideBinary : Path.GetFullPath(DefaultPath);
    }
}
