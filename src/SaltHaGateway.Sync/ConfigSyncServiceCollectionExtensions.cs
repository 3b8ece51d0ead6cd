using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Prometheus;
using SaltHaGateway.Sync.Configuration;
using SaltHaGateway.Sync.Hosting;
using SaltHaGateway.Sync.Identity;
using SaltHaGateway.Sync.Observability;

namespace SaltHaGateway.Sync;

public static class ConfigSyncServiceCollectionExtensions
{
    /// <summary>
    /// Registers the config-sync background service from the <c>ConfigSync</c> section. Does nothing
    /// when <c>Enabled</c> is false. Throws <see cref="InvalidOperationException"/> listing every
    /// invalid key (one per line, e.g. "ConfigSync:Peers:0:Fingerprint: …").
    /// </summary>
    public static IServiceCollection AddConfigSync(this IServiceCollection s, IConfiguration configSyncSection) =>
        s.AddConfigSync(configSyncSection, new SyncEngineSettings());

    internal static IServiceCollection AddConfigSync(this IServiceCollection s, IConfiguration section, SyncEngineSettings settings)
    {
        var options = Bind(section, out var errors);
        if (!options.Enabled) return s;
        if (errors.Count > 0) throw new InvalidOperationException(string.Join(Environment.NewLine, errors));

        s.TryAddSingleton(TimeProvider.System);
        s.TryAddSingleton(_ => new SyncMetrics(Metrics.DefaultFactory));
        s.AddSingleton(sp => new SyncEngine(options, settings, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<SyncMetrics>()));
        s.AddHostedService(sp => sp.GetRequiredService<SyncEngine>());
        s.AddSingleton<ISyncHealth>(sp => sp.GetRequiredService<SyncEngine>());
        return s;
    }

    /// <summary>Binds and validates the section (used by check-config too); errors name their key paths.</summary>
    public static ConfigSyncOptions Bind(IConfiguration section, out List<string> errors)
    {
        var prefix = section is IConfigurationSection cs ? cs.Path : "ConfigSync";
        var options = new ConfigSyncOptions();
        errors = [];
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            errors.Add($"{prefix}: {e.Message}");
            return options;
        }
        if (!options.Enabled) return options;
        errors.AddRange(ConfigSyncOptionsValidator.Validate(options, prefix));
        if (errors.Count == 0 && !File.Exists(NodeIdentity.PathIn(options.StateDirectory)))
            errors.Add($"{prefix}:StateDirectory: no node identity in {options.StateDirectory}; run 'salt-ha-gateway sync init --state-dir {options.StateDirectory}'");
        return options;
    }
}
