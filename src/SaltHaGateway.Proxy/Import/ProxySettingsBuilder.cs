using System.Text.RegularExpressions;

namespace SaltHaGateway.Proxy.Import;

/// <summary>Collects the inheritable settings written at one level (http, server or location).</summary>
internal sealed partial class ProxySettingsBuilder(ImportDiagnostics diagnostics)
{
    private static readonly string[] NextUpstreamValues =
    [
        "error", "timeout", "invalid_header", "http_500", "http_502", "http_503", "http_504", "http_403",
        "http_404", "http_429", "non_idempotent", "off",
    ];

    private static readonly string[] SupportedVariables =
        ["host", "server_port", "remote_addr", "scheme", "proxy_add_x_forwarded_for", "proxy_host", "request_uri"];

    private readonly List<HeaderSetting> _headers = [];
    private readonly List<Setting> _access = [];
    private bool _hasHeaderDirective, _hasAccessDirective;
    private Setting? _connectTimeout, _nextUpstream, _tries, _nextTimeout, _maxBody;

    // A level with any proxy_set_header (or allow/deny) replaces the inherited list, even when its own
    // entries could not be translated: that is what nginx does.

    /// <summary>Takes the directive if it is one of the inherited settings; false for any other directive.</summary>
    public bool TryApply(NginxDirective d)
    {
        switch (d.Name)
        {
            case "proxy_set_header":
                _hasHeaderDirective = true;
                SetHeader(d);
                return true;
            case "proxy_connect_timeout":
                Single(d, ref _connectTimeout, ParseMsec);
                return true;
            case "proxy_next_upstream_timeout":
                Single(d, ref _nextTimeout, ParseMsec);
                return true;
            case "proxy_next_upstream_tries":
                Single(d, ref _tries, v => NginxNumber.TryParse(v, out var n) ? n.ToString() : null, "invalid number");
                return true;
            case "client_max_body_size":
                Single(d, ref _maxBody, v => NginxSize.TryParse(v, out var b) ? (b == 0 ? -1 : b).ToString() : null);
                return true;
            case "proxy_next_upstream":
                NextUpstream(d);
                return true;
            case "allow":
            case "deny":
                _hasAccessDirective = true;
                if (AccessRule.Parse(d, diagnostics) is { } rule)
                {
                    _access.Add(new Setting(rule, d));
                }

                return true;
            default:
                return false;
        }
    }

    public ProxySettings Build(ProxySettings parent) => new(
        _hasHeaderDirective ? _headers.ToArray() : parent.SetHeaders,
        _connectTimeout ?? parent.ConnectTimeout,
        _nextUpstream ?? parent.NextUpstream,
        _tries ?? parent.NextUpstreamTries,
        _nextTimeout ?? parent.NextUpstreamTimeout,
        _maxBody ?? parent.MaxBodySize,
        _hasAccessDirective ? _access.ToArray() : parent.Access);

    private static string? ParseMsec(string value) =>
        NginxTime.TryParse(value, secondsResolution: false, out var ms) ? NginxTime.Format(ms) : null;

    private void Single(NginxDirective d, ref Setting? slot, Func<string, string?> parse, string invalid = "invalid value")
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1, 1))
        {
            return;
        }

        if (slot is not null)
        {
            diagnostics.Error(d, $"\"{d.Name}\" directive is duplicate (first at line {slot.Source.Line})");
            return;
        }

        var value = parse(d.Args[0]);
        if (value is null)
        {
            diagnostics.Error(d, $"\"{d.Name}\" directive {invalid} \"{d.Args[0]}\"");
            return;
        }

        slot = new Setting(value, d);
    }

    private void NextUpstream(NginxDirective d)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1))
        {
            return;
        }

        if (_nextUpstream is not null)
        {
            diagnostics.Error(d, $"\"{d.Name}\" directive is duplicate (first at line {_nextUpstream.Source.Line})");
            return;
        }

        foreach (var arg in d.Args)
        {
            if (!NextUpstreamValues.Contains(arg))
            {
                diagnostics.Error(d, $"invalid value \"{arg}\"");
                return;
            }
        }

        _nextUpstream = new Setting(d.Args.Contains("off") ? "off" : string.Join(' ', d.Args), d);
    }

    private void SetHeader(NginxDirective d)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 2, 2))
        {
            return;
        }

        var unsupported = Variable().Matches(d.Args[1])
            .Select(m => m.Groups["a"].Success ? m.Groups["a"].Value : m.Groups["b"].Value)
            .Where(v => !SupportedVariables.Contains(v) && !v.StartsWith("http_", StringComparison.Ordinal))
            .ToArray();
        if (unsupported.Length > 0)
        {
            diagnostics.NotTranslated(d,
                $"variable {string.Join(", ", unsupported.Select(v => "$" + v))} is not supported by the gateway");
            return;
        }

        _headers.Add(new HeaderSetting(d.Args[0], d.Args[1], d));
    }

    [GeneratedRegex(@"\$(?:\{(?<b>[A-Za-z0-9_]+)\}|(?<a>[A-Za-z0-9_]+))")]
    private static partial Regex Variable();
}
