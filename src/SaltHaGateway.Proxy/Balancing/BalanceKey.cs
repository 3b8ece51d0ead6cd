namespace SaltHaGateway.Proxy.Balancing;

/// <summary>What a hashing balancer hashes for one request: the client address bytes (ip_hash) or the evaluated
/// key (hash KEY), computed outside the upstream's lock.</summary>
public readonly record struct BalanceKey(byte[]? Bytes);
