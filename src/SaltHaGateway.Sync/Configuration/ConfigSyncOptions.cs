namespace SaltHaGateway.Sync.Configuration;

/// <summary>The <c>ConfigSync</c> configuration section.</summary>
public sealed class ConfigSyncOptions
{
    public static readonly string[] DefaultRoots =
        ["/etc/salt/master", "/etc/salt/master.d", "/etc/salt/pki/master", "/srv/salt", "/srv/pillar"];

    public bool Enabled { get; set; }
    /// <summary>https URL the peer endpoint listens on (mutual TLS 1.3), e.g. https://192.0.2.10:4506.</summary>
    public string? Listen { get; set; }
    public string StateDirectory { get; set; } = "/var/lib/salt-ha-gateway/sync";
    public string[]? Roots { get; set; }
    public PeerOptions[]? Peers { get; set; }
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;
    public int RescanIntervalSeconds { get; set; } = 600;
    /// <summary>A path is examined once it has been quiet this long after its last watcher event…</summary>
    public int QuietMilliseconds { get; set; } = 20;
    /// <summary>…or at the latest this long after its first one.</summary>
    public int MaxDelayMilliseconds { get; set; } = 1000;
    /// <summary>Extra name patterns ('*', '?') never synced, added to the built-in list.</summary>
    public string[]? Ignore { get; set; }
    public bool AllowSymlinksOutsideRoots { get; set; }
    public int TombstoneMinAgeDays { get; set; } = 30;
    /// <summary>Commands per path class (MasterKey, MinionKey, MasterConfig, Tree) run after remote changes were applied (and local ones, if asked).</summary>
    public Dictionary<string, HookOptions>? Hooks { get; set; }

    public IReadOnlyList<string> EffectiveRoots => Roots is { Length: > 0 } r ? r : DefaultRoots;
}

public sealed class PeerOptions
{
    public string? Url { get; set; }
    /// <summary>SHA-256 of the peer's certificate (64 hex characters, as printed by <c>sync init</c>).</summary>
    public string? Fingerprint { get; set; }
}

public sealed class HookOptions
{
    /// <summary>Run with /bin/sh -c; empty means off.</summary>
    public string? Command { get; set; }
    public int DebounceSeconds { get; set; } = 5;
    /// <summary>Also run after this node's own edits of the class (seen by the watcher or a rescan, not the first scan at start).</summary>
    public bool OnLocalChanges { get; set; }
}
