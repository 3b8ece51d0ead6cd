using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SaltHaGateway.Proxy;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Hosting;

/// <summary>Loads and validates a config file completely — the proxy section and the product sections — without
/// starting anything. Used by <c>check-config</c> and before <c>run</c> builds its host.</summary>
public static class ConfigCheck
{
    /// <param name="Warnings">Problems the gateway runs with (an expired certificate), reported but not fatal.</param>
    public sealed record Result(GatewayProxyConfig? Proxy, GatewayOptions? Gateway, IConfiguration Configuration, IReadOnlyList<ConfigError> Errors,
        IReadOnlyList<ConfigError>? Warnings = null);

    public static async Task<Result> RunAsync(string file, string[] overrides)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        GatewayServices.AddConfigValidators(services);
        services.AddGatewayConfigValidation();
        await using var provider = services.BuildServiceProvider();
        var loader = provider.GetRequiredService<GatewayConfigLoader>();
        var (proxy, errors) = await loader.LoadAsync(file);
        var all = new List<ConfigError>(errors);

        IConfiguration configuration;
        try
        {
            configuration = BuildConfiguration(file, overrides, fileIsValid: true);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or System.Text.Json.JsonException)
        {
            // The file itself is unreadable or not JSON: that is already reported above.
            configuration = BuildConfiguration(file, overrides, fileIsValid: false);
        }
        var warnings = new List<ConfigError>();
        var gateway = GatewayOptions.Parse(configuration, all, warnings, TimeProvider.System);
        foreach (var problem in SaltHaGateway.Vrrp.VrrpServiceCollectionExtensions.ValidateVrrp(configuration.GetSection("Vrrp")))
            all.Add(AsError(problem));
        SaltHaGateway.Sync.ConfigSyncServiceCollectionExtensions.Bind(configuration.GetSection("ConfigSync"), out var syncProblems);
        foreach (var problem in syncProblems) all.Add(AsError(problem));
        return new Result(proxy, gateway, configuration, all, warnings);
    }

    /// <summary>The file, then environment variables, then command-line overrides, as .NET does it.</summary>
    public static IConfiguration BuildConfiguration(string file, string[] overrides, bool fileIsValid)
    {
        var builder = new ConfigurationBuilder();
        if (fileIsValid) builder.AddJsonFile(file, optional: false, reloadOnChange: false);
        return builder.AddEnvironmentVariables().AddCommandLine(overrides).Build();
    }

    /// <summary>Subsystems report "key:path: reason"; split it so every problem prints the same way.</summary>
    private static ConfigError AsError(string problem)
    {
        var cut = problem.IndexOf(": ", StringComparison.Ordinal);
        return cut > 0 ? new ConfigError(problem[..cut], problem[(cut + 2)..]) : new ConfigError("", problem);
    }
}
