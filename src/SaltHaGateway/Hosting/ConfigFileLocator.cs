namespace SaltHaGateway.Hosting;

/// <summary>Where the config file is when <c>--config</c> is not given: the system location if it exists, else the
/// repository's default config, looked for from the working directory and from the binary's directory upwards (so the
/// README's run command works from a fresh checkout, wherever the build put the binary).</summary>
public static class ConfigFileLocator
{
    public const string SystemPath = "/etc/salt-ha-gateway/gateway.json";
    public const string DefaultPath = "config/gateway.json";

    public static string Resolve(string? explicitPath)
    {
        if (!string.IsNullOrEmpty(explicitPath)) return Path.GetFullPath(explicitPath);
        if (File.Exists(SystemPath)) return SystemPath;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, DefaultPath);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return Path.GetFullPath(DefaultPath);
    }
}
