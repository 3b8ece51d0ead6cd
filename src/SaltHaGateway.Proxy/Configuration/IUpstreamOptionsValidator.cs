namespace SaltHaGateway.Proxy.Configuration;

/// <summary>Lets another subsystem (the health checker) validate the upstream options it owns, such as
/// <c>Check</c>, as part of the same all-or-nothing config validation.</summary>
public interface IUpstreamOptionsValidator
{
    void Validate(string upstream, UpstreamOptions options, string path, List<ConfigError> errors);
}
