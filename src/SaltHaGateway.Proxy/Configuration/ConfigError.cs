namespace SaltHaGateway.Proxy.Configuration;

/// <summary>One problem found in a configuration: where it is (a JSON path, or file:line) and why it is wrong.</summary>
public sealed record ConfigError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
