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
        var options = Bind(vrrpSection);
        var errors = new List<string>();
        string root = vrrpSection is IConfigurationSection section ? section.Path : "Vrrp";
        var definitions = VrrpOptionsValidator.Validate(options, errors, root);
        if (errors.Count > 0)
        {
            throw new VrrpConfigurationException(errors);
        }
        if (definitions.Count == 0)
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

    internal static VrrpOptions Bind(IConfiguration vrrpSection)
    {
        try
        {
            return vrrpSection.Get<VrrpOptions>() ?? new VrrpOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new VrrpConfigurationException([e.Message]);
        }
    }
}

/// <summary>The Vrrp section is invalid; <see cref="Exception.Message"/> lists "key:path: reason" lines.</summary>
public sealed class VrrpConfigurationException(IReadOnlyList<string> errors)
    : Exception("invalid VRRP configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
