using SaltHaGateway.Hosting;

namespace SaltHaGateway.Cli;

/// <summary><c>check-config</c>: like <c>nginx -t</c>.</summary>
public static class CheckConfigCommand
{
    public static async Task<int> RunAsync(string? configPath, string[] overrides, TextWriter stdout, TextWriter stderr)
    {
        var file = ConfigFileLocator.Resolve(configPath);
        var check = await ConfigCheck.RunAsync(file, overrides);
        foreach (var w in check.Warnings ?? []) await stderr.WriteLineAsync($"salt-ha-gateway: {file}: warning: {w}");
        if (check.Errors.Count == 0)
        {
            await stdout.WriteLineAsync($"salt-ha-gateway: configuration file {file} test is successful: " +
                $"{check.Proxy!.Routes.Count} routes, {check.Proxy.Clusters.Count} clusters, revision {check.Proxy.Revision}");
            return 0;
        }
        foreach (var e in check.Errors) await stderr.WriteLineAsync($"salt-ha-gateway: {file}: {e}");
        await stderr.WriteLineAsync($"salt-ha-gateway: configuration file {file} test failed ({check.Errors.Count} problem(s))");
        return 1;
    }
}
