namespace SaltHaGateway.Sync;

/// <summary>
/// Small shared state that another part of the gateway exchanges with the peers over the sync link (the same
/// mutually authenticated connection, no new port, no new trust), such as learned sticky sessions. Pulled like the
/// change log: each node long-polls each peer for what changed after the cursor it was last given.
/// </summary>
public interface IPeerChannel
{
    /// <summary>Lower-case letters, digits and '-'; part of the URL.</summary>
    string Name { get; }

    /// <summary>Serves a peer: what changed after <paramref name="cursor"/> (null: everything), waiting up to
    /// <paramref name="wait"/> for a change. The body carries the next cursor.</summary>
    Task<byte[]> ReadAsync(string? cursor, TimeSpan wait, CancellationToken ct);

    /// <summary>Applies what a peer served and returns the cursor to ask with next. Throws
    /// <see cref="InvalidDataException"/> for a body it cannot use.</summary>
    string Apply(string peerNode, ReadOnlySpan<byte> body);
}
