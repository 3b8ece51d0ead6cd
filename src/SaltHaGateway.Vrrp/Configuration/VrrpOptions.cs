namespace SaltHaGateway.Vrrp.Configuration;

/// <summary>The "Vrrp" config section. Instances and scripts are keyed by name, like keepalived's blocks.</summary>
public sealed class VrrpOptions
{
    public Dictionary<string, VrrpInstanceOptions> Instances { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, VrrpScriptOptions> Scripts { get; set; } = new(StringComparer.Ordinal);
    /// <summary>keepalived's static_ipaddress: added at start, kept while the service runs, removed at stop.</summary>
    public List<string> StaticAddresses { get; set; } = [];
    /// <summary>keepalived's static_routes, in its "ip route" syntax (see README).</summary>
    public List<string> StaticRoutes { get; set; } = [];
    /// <summary>keepalived's static_rules, in its "ip rule" syntax (see README).</summary>
    public List<string> StaticRules { get; set; } = [];
    /// <summary>keepalived's vrrp_sync_group: instances that change state together.</summary>
    public Dictionary<string, VrrpSyncGroupOptions> SyncGroups { get; set; } = new(StringComparer.Ordinal);
    /// <summary>keepalived's track_file: a file holding a number that moves priority.</summary>
    public Dictionary<string, VrrpTrackFileOptions> TrackFiles { get; set; } = new(StringComparer.Ordinal);
    /// <summary>keepalived's vrrp_track_process: processes that must be running.</summary>
    public Dictionary<string, VrrpTrackProcessOptions> TrackProcesses { get; set; } = new(StringComparer.Ordinal);
    /// <summary>keepalived's global_defs that concern VRRP.</summary>
    public VrrpGlobalOptions Global { get; set; } = new();
}

public sealed class VrrpSyncGroupOptions
{
    public List<string> Instances { get; set; } = [];
    /// <summary>Tracked on behalf of every member (keepalived's group track_script/track_interface/track_file/track_process).</summary>
    public List<VrrpTrackOptions> Track { get; set; } = [];
    /// <summary>keepalived's sync_group_tracking_weight: without it, members may only track with weight 0.</summary>
    public bool TrackingWeight { get; set; }
    /// <summary>Group hooks; Any gets "GROUP name STATE 0" appended, as keepalived's group notify does.</summary>
    public VrrpNotifyOptions Notify { get; set; } = new();
}

public sealed class VrrpTrackFileOptions
{
    public string Path { get; set; } = "";
    /// <summary>The value read is multiplied by this (default 1); 0 means a non-zero value is a fault. -254..254.</summary>
    public int Weight { get; set; } = 1;
    public bool Reverse { get; set; }
    /// <summary>init_file: write this value at start if the file does not exist (or always with InitOverwrite).</summary>
    public long? InitValue { get; set; }
    public bool InitOverwrite { get; set; }
}

public sealed class VrrpTrackProcessOptions
{
    /// <summary>Matched exactly against the process name (/proc/PID/comm), or argv[0] with parameters or FullCommand.</summary>
    public string Process { get; set; } = "";
    /// <summary>Arguments to match against the command line (keepalived's process NAME ARGS...).</summary>
    public List<string>? Parameters { get; set; }
    /// <summary>null (exact when parameters are given), "partial" (the first ones) or "initial" (the last may be longer).</summary>
    public string? ParamMatch { get; set; }
    public bool FullCommand { get; set; }
    public int Weight { get; set; } = 1;
    public bool Reverse { get; set; }
    public int Quorum { get; set; } = 1;
    public int? QuorumMax { get; set; }
    public double ForkDelaySeconds { get; set; }
    public double TerminateDelaySeconds { get; set; }
    /// <summary>How often /proc is scanned (keepalived is told by the kernel's process connector instead).</summary>
    public double IntervalSeconds { get; set; } = 1;
}

public sealed class VrrpGlobalOptions
{
    /// <summary>vrrp_strict: RFC compliance (see the README for exactly what it changes).</summary>
    public bool Strict { get; set; }
    /// <summary>script_user: run notify and track scripts as this user ([group] in ScriptGroup).</summary>
    public string? ScriptUser { get; set; }
    public string? ScriptGroup { get; set; }
    /// <summary>enable_script_security: refuse to start when a script run as root sits in a path others can write.</summary>
    public bool EnableScriptSecurity { get; set; }
    /// <summary>notify_fifo: a FIFO that gets one line per state change (INSTANCE "VI_1" MASTER 150, GROUP "G1" MASTER 0).</summary>
    public string? NotifyFifo { get; set; }
    /// <summary>notify_fifo_script: started once, with the FIFO's path as its last argument, to read it.</summary>
    public string? NotifyFifoScript { get; set; }
}

public sealed class VrrpInstanceOptions
{
    public string? Interface { get; set; }
    public int VirtualRouterId { get; set; }
    public int Priority { get; set; } = 100;
    /// <summary>2 or 3; unset means 2 for IPv4 VIPs and 3 for IPv6 VIPs (VRRP over IPv6 is version 3 only).</summary>
    public int? Version { get; set; }
    public double AdvertIntervalSeconds { get; set; } = 1;
    public bool Preempt { get; set; } = true;
    public double PreemptDelaySeconds { get; set; }
    /// <summary>Never become master before this many seconds after start (a rebooting node listens first).</summary>
    public double StartupListenSeconds { get; set; }
    public int DownTimerAdverts { get; set; } = 3;
    /// <summary>On yielding to a higher priority, send one last advert so the winner re-sends GARP (see README).</summary>
    public bool HigherPrioritySendAdvert { get; set; } = true;
    /// <summary>After a peer has taken over, keep the VIPs this long so packets already on their way are answered (see README).</summary>
    public double ReleaseDelaySeconds { get; set; } = 0.2;
    /// <summary>Fault while the instance's own interface is down (keepalived tracks it unless dont_track_primary).</summary>
    public bool TrackInterface { get; set; } = true;
    /// <summary>"ADDR[/LEN] [dev IF] [label IF:N] [scope S] [brd ADDR] [no_track]", as keepalived's virtual_ipaddress lines.</summary>
    public List<string> VirtualAddresses { get; set; } = [];
    /// <summary>keepalived's virtual_ipaddress_excluded: moved with the VIPs but not advertised (any number, either family).</summary>
    public List<string> ExcludedAddresses { get; set; } = [];
    /// <summary>keepalived's virtual_routes: added on becoming master, removed on leaving it.</summary>
    public List<string> VirtualRoutes { get; set; } = [];
    /// <summary>keepalived's virtual_rules: policy rules added on becoming master, removed on leaving it.</summary>
    public List<string> VirtualRules { get; set; } = [];
    /// <summary>keepalived's use_vmac: VIPs go on a macvlan with MAC 00:00:5e:00:01:VRID (00:00:5e:00:02:VRID for IPv6), adverts are sent from it.</summary>
    public bool UseVmac { get; set; }
    /// <summary>The macvlan's name (default vrrp.VRID).</summary>
    public string? VmacInterface { get; set; }
    /// <summary>keepalived's vmac_xmit_base: adverts go out of (and are read on) the base interface, VIPs stay on the vmac.</summary>
    public bool VmacTransmitOnBase { get; set; }
    /// <summary>keepalived's mcast_src_ip: the source address of multicast adverts (same effect as UnicastSource).</summary>
    public string? MulticastSource { get; set; }
    public VrrpAuthenticationOptions? Authentication { get; set; }
    public string? UnicastSource { get; set; }
    public List<string> UnicastPeers { get; set; } = [];
    public VrrpGarpOptions Garp { get; set; } = new();
    public List<VrrpTrackOptions> Track { get; set; } = [];
    public VrrpNotifyOptions Notify { get; set; } = new();
    /// <summary>lower_prio_no_advert: a master hearing a lower-priority master sends GARP but no advert.</summary>
    public bool LowerPriorityNoAdvert { get; set; }
    /// <summary>strict_mode for this instance; null takes Vrrp:Global:Strict.</summary>
    public bool? Strict { get; set; }
}

public sealed class VrrpAuthenticationOptions
{
    /// <summary>"PASS" (keepalived auth_type PASS) or "NONE".</summary>
    public string Type { get; set; } = "PASS";
    public string? Password { get; set; }
}

public sealed class VrrpGarpOptions
{
    public int MasterRepeat { get; set; } = 5;
    public double MasterDelaySeconds { get; set; } = 5;
    public double MasterRefreshSeconds { get; set; }
    public int LowerPriorityRepeat { get; set; } = 5;
    public int MasterRefreshRepeat { get; set; } = 1;
    /// <summary>vrrp_garp_interval: pause between the gratuitous ARPs of a burst.</summary>
    public double IntervalSeconds { get; set; }
    /// <summary>vrrp_gna_interval: pause between the unsolicited Neighbour Advertisements (IPv6) of a burst.</summary>
    public double NaIntervalSeconds { get; set; }
}

/// <summary>Exactly one of Condition (from the host), Interface, Script, File or Process.</summary>
public sealed class VrrpTrackOptions
{
    public string? Condition { get; set; }
    public string? Interface { get; set; }
    public string? Script { get; set; }
    /// <summary>A key of Vrrp:TrackFiles.</summary>
    public string? File { get; set; }
    /// <summary>A key of Vrrp:TrackProcesses.</summary>
    public string? Process { get; set; }
    /// <summary>keepalived's "weight W reverse": the weight counts the other way round.</summary>
    public bool Reverse { get; set; }
    /// <summary>0 means Fault when down; absent means the script's own weight (0 for others).</summary>
    public int? Weight { get; set; }
}

public sealed class VrrpScriptOptions
{
    public string Command { get; set; } = "";
    public double IntervalSeconds { get; set; } = 1;
    public double? TimeoutSeconds { get; set; }
    public int Rise { get; set; } = 1;
    public int Fall { get; set; } = 1;
    public int Weight { get; set; }
    public bool InitFail { get; set; }
}

public sealed class VrrpNotifyOptions
{
    public string? Master { get; set; }
    public string? Backup { get; set; }
    public string? Fault { get; set; }
    public string? Stop { get; set; }
    /// <summary>Runs on every transition with "INSTANCE name STATE priority" appended (keepalived's notify).</summary>
    public string? Any { get; set; }
    public double TimeoutSeconds { get; set; } = 30;
}
