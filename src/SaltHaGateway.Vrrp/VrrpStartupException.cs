namespace SaltHaGateway.Vrrp;

/// <summary>A VRRP instance cannot start (missing capability, unknown interface, unknown tracked condition).</summary>
public sealed class VrrpStartupException(string message) : Exception(message);
