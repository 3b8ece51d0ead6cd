using SaltHaGateway.Sync.Identity;

namespace SaltHaGateway.Sync;

/// <summary><c>salt-ha-gateway sync init --state-dir DIR</c>: create (or show) this node's identity.</summary>
public static class SyncInitCommand
{
    /// <summary>The last line written to <paramref name="stdout"/> is the 64-hex certificate fingerprint.</summary>
    public static int Run(string stateDir, TextWriter stdout, TextWriter stderr)
    {
        if (string.IsNullOrWhiteSpace(stateDir) || !Path.IsPathRooted(stateDir))
        {
            stderr.WriteLine($"sync init: --state-dir must be an absolute path (got '{stateDir}')");
            return 2;
        }
        try
        {
            var (identity, created) = NodeIdentity.LoadOrCreate(stateDir);
            stdout.WriteLine(created
                ? $"created node identity in {NodeIdentity.PathIn(stateDir)}"
                : $"node identity already exists in {NodeIdentity.PathIn(stateDir)} (kept)");
            stdout.WriteLine($"node id: {identity.NodeId}");
            stdout.WriteLine("put this fingerprint in ConfigSync:Peers:N:Fingerprint on every other node:");
            stdout.WriteLine(identity.Fingerprint);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            stderr.WriteLine($"sync init: {e.Message}");
            return 1;
        }
    }
}
