using SaltHaGateway.Proxy.Sticky;
using SaltHaGateway.Sync;

namespace SaltHaGateway.Sticky;

/// <summary>The <c>sticky learn … sync</c> bindings as a config-sync peer channel: a token learned through one gateway
/// reaches the same master through the other after the VIP moves.</summary>
public sealed class StickyPeerChannel(StickyTables tables) : IPeerChannel
{
    public string Name => "sticky";

    public Task<byte[]> ReadAsync(string? cursor, TimeSpan wait, CancellationToken ct) => tables.ReadChangesAsync(cursor, wait, ct);

    public string Apply(string peerNode, ReadOnlySpan<byte> body) => tables.Apply(peerNode, body);
}
