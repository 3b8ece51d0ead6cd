namespace SaltHaGateway.Import.Nginx;

/// <summary>A value and the directive it came from, so conflicts can point at the line.</summary>
internal sealed record Setting(string Value, NginxDirective Source);

internal sealed record HeaderSetting(string Name, string Value, NginxDirective Source);

/// <summary>
/// The per-request settings that nginx inherits http → server → location: a level that sets a value
/// overrides it; proxy_set_header and allow/deny are inherited as a whole list only when the level has none
/// of its own (nginx array-merge semantics). <see cref="Ssl"/> holds the proxy_ssl_* directives by gateway key
/// (ProxySslVerify, ...), each inherited on its own as nginx does.
/// </summary>
internal sealed record ProxySettings(
    IReadOnlyList<HeaderSetting>? SetHeaders,
    Setting? ConnectTimeout,
    Setting? NextUpstream,
    Setting? NextUpstreamTries,
    Setting? NextUpstreamTimeout,
    Setting? MaxBodySize,
    IReadOnlyList<Setting>? Access,
    IReadOnlyDictionary<string, Setting>? Ssl = null)
{
    public static readonly ProxySettings Empty = new(null, null, null, null, null, null, null);

    public string? AccessText => Access is { Count: > 0 } ? string.Join("; ", Access.Select(a => a.Value)) : null;
}
