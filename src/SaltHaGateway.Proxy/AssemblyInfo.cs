namespace SaltHaGateway.Proxy;
