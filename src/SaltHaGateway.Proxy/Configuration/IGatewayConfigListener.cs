namespace SaltHaGateway.Proxy.Configuration;

/// <summary>Told about every config that goes into force: the one at start and each applied reload.</summary>
public interface IGatewayConfigListener
{
    void Applied(GatewayProxyConfig config);
}
