using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Prometheus;
using SaltHaGateway.Vrrp.Configuration;
using SaltHaGateway.Vrrp.Hosting;

namespace SaltHaGateway.Vrrp;

public static class VrrpServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates the Vrrp section; registers the VRRP hosted service when at least one instance is
    /// configured (otherwise only the status endpoint's empty answer). Throws <see cref="VrrpConfigurationException"/>
    /// listing every invalid key by path.
    /// </summary>
    public static IServiceCollection AddVrrp(this IServiceCollection s, IConfiguration vrrpSection)
    {
        var errors = new List<string>();
        var options = Bind(vrrpSection, errors);
        var definitions = VrrpOptionsValidator.Validate(options, errors, PathOf(vrrpSection));
        if (errors.Count > 0)
        {
            throw new VrrpConfigurationException(errors);
        }
        if (definitions.Count == 0 && options.StaticAddresses.Count + options.StaticRoutes.Count + options.StaticRules.Count == 0)
        {
            return s;
        }
        s.TryAddSingleton(TimeProvider.System);
        s.AddSingleton(options);
        s.AddSingleton(definitions);
        s.TryAddSingleton(sp => new VrrpMetrics(sp.GetService<CollectorRegistry>()));
        s.AddSingleton(sp => new VrrpService(definitions, options, sp.GetServices<ITrackedCondition>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<VrrpMetrics>()));
        s.AddHostedService(sp => sp.GetRequiredService<VrrpService>());
        return s;
    }

    /// <summary>For check-config: every problem of the Vrrp section as "key:path: reason", empty when valid.</summary>
    public static IReadOnlyList<string> ValidateVrrp(IConfiguration vrrpSection)
    {
        var errors = new List<string>();
        VrrpOptionsValidator.Validate(Bind(vrrpSection, errors), errors, PathOf(vrrpSection));
        return errors;
    }

    /// <summary>
    /// Binds instance by instance: the stock binder silently drops a dictionary entry whose values do not convert,
    /// which would make a typo disable an instance instead of failing start-up. Unknown keys are errors too.
    /// </summary>
    internal static VrrpOptions Bind(IConfiguration vrrpSection, List<string> errors)
    {
        var options = new VrrpOptions();
        string root = PathOf(vrrpSection);
        foreach (var child in vrrpSection.GetChildren())
        {
            if (child.Key is not ("Instances" or "Scripts" or "SyncGroups" or "TrackFiles" or "TrackProcesses" or "Global") && !StaticKeys.Contains(child.Key))
            {
                errors.Add($"{root}:{child.Key}: unknown key (expected Instances, Scripts, SyncGroups, TrackFiles, TrackProcesses or Global)");
            }
        }
        BindStatics(vrrpSection, options, root, errors);
        foreach (var child in vrrpSection.GetSection("Instances").GetChildren())
        {
            if (BindOne(child, root + ":Instances:" + child.Key, errors, static s => s.Get<VrrpInstanceOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new()) is { } instance)
            {
                options.Instances[child.Key] = instance;
            }
        }
        foreach (var child in vrrpSection.GetSection("Scripts").GetChildren())
        {
            if (BindOne(child, root + ":Scripts:" + child.Key, errors, static s => s.Get<VrrpScriptOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new()) is { } script)
            {
                options.Scripts[child.Key] = script;
            }
        }
        BindAll(vrrpSection, "SyncGroups", root, options.SyncGroups, errors,
            static s => s.Get<VrrpSyncGroupOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new());
        BindAll(vrrpSection, "TrackFiles", root, options.TrackFiles, errors,
            static s => s.Get<VrrpTrackFileOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new());
        BindAll(vrrpSection, "TrackProcesses", root, options.TrackProcesses, errors,
            static s => s.Get<VrrpTrackProcessOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new());
        var global = vrrpSection.GetSection("Global");
        if (global.Exists() && BindOne(global, root + ":Global", errors,
                static s => s.Get<VrrpGlobalOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new()) is { } g)
        {
            options.Global = g;
        }
        return options;
    }

    private static readonly string[] StaticKeys = ["StaticAddresses", "StaticRoutes", "StaticRules"];

    private static void BindStatics(IConfiguration vrrpSection, VrrpOptions options, string root, List<string> errors)
    {
        foreach (var key in StaticKeys)
        {
            var section = vrrpSection.GetSection(key);
            if (!section.Exists()) continue;
            var lines = section.GetChildren().Select(c => c.Value).ToList();
            if (lines.Any(l => l is null))
            {
                errors.Add($"{root}:{key}: must be a list of strings");
                continue;
            }
            var target = key switch { "StaticAddresses" => options.StaticAddresses, "StaticRoutes" => options.StaticRoutes, _ => options.StaticRules };
            target.AddRange(lines!);
        }
    }

    private static void BindAll<T>(IConfiguration vrrpSection, string key, string root, Dictionary<string, T> into, List<string> errors,
        Func<IConfigurationSection, T> bind) where T : class
    {
        foreach (var child in vrrpSection.GetSection(key).GetChildren())
        {
            if (BindOne(child, $"{root}:{key}:{child.Key}", errors, bind) is { } value)
            {
                into[child.Key] = value;
            }
        }
    }

    /// <summary>Binds one entry; <paramref name="bind"/> is a concrete Get call, which the configuration binding
    /// generator compiles (no reflection in the ahead-of-time build).</summary>
    private static T? BindOne<T>(IConfigurationSection section, string path, List<string> errors, Func<IConfigurationSection, T> bind) where T : class
    {
        try
        {
            return bind(section);
        }
        catch (InvalidOperationException e)
        {
            errors.Add($"{path}: {e.Message}");
            return null;
        }
    }

    private static string PathOf(IConfiguration section) => section is IConfigurationSection s && s.Path.Length > 0 ? s.Path : "Vrrp";
}

/// <summary>The Vrrp section is invalid; <see cref="Exception.Message"/> lists "key:path: reason" lines.</summary>
public sealed class VrrpConfigurationException(IReadOnlyList<string> errors)
    : Exception("invalid VRRP configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
