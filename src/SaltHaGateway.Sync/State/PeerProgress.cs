namespace SaltHaGateway.Sync.State;

/// <summary>
/// Durable per-peer bookkeeping. <see cref="AckedSequence"/>: how far the peer confirmed our change
/// log (everything above it is that peer's outbox). <see cref="ReceivedSequence"/>: how far we
/// applied the peer's log, valid only for the peer's <see cref="PeerIndexId"/>.
/// </summary>
public sealed record PeerProgress(string NodeId, string? PeerIndexId, long ReceivedSequence, long AckedSequence, long LastSeenNs);
