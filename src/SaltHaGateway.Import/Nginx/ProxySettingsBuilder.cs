using System.Text.RegularExpressions;

using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Import.Nginx;

/// <summary>Collects the inheritable settings written at one level (http, server or location).</summary>
/// <param name="confPrefix">Where relative certificate paths start, as nginx's conf prefix.</param>
internal sealed partial class ProxySettingsBuilder(ImportDiagnostics diagnostics, string confPrefix)
{
    /// <summary>nginx's proxy_ssl_* directives and the cluster metadata keys they become.</summary>
    public static readonly IReadOnlyDictionary<string, string> SslKeys = new Dictionary<string, string>
    {
        ["proxy_ssl_verify"] = "ProxySslVerify",
        ["proxy_ssl_trusted_certificate"] = "ProxySslTrustedCertificate",
        ["proxy_ssl_verify_depth"] = "ProxySslVerifyDepth",
        ["proxy_ssl_name"] = "ProxySslName",
        ["proxy_ssl_server_name"] = "ProxySslServerName",
        ["proxy_ssl_protocols"] = "ProxySslProtocols",
        ["proxy_ssl_certificate"] = "ProxySslCertificate",
        ["proxy_ssl_certificate_key"] = "ProxySslCertificateKey",
    };

    private static readonly string[] NextUpstreamValues =
    [
        "error", "timeout", "invalid_header", "http_500", "http_502", "http_503", "http_504", "http_403",
        "http_404", "http_429", "non_idempotent", "off",
    ];

    private static readonly string[] SupportedVariables =
        ["host", "server_port", "remote_addr", "scheme", "proxy_add_x_forwarded_for", "proxy_host", "request_uri"];

    private readonly List<HeaderSetting> _headers = [];
    private readonly List<Setting> _access = [];
    private readonly Dictionary<string, Setting> _ssl = [];
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
            case var name when SslKeys.TryGetValue(name, out var key):
                Ssl(d, key);
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
        _hasAccessDirective ? _access.ToArray() : parent.Access,
        MergeSsl(parent.Ssl));

    private IReadOnlyDictionary<string, Setting>? MergeSsl(IReadOnlyDictionary<string, Setting>? parent)
    {
        if (_ssl.Count == 0) return parent;
        var merged = new Dictionary<string, Setting>(parent ?? new Dictionary<string, Setting>());
        foreach (var (key, setting) in _ssl) merged[key] = setting;
        return merged;
    }

    private void Ssl(NginxDirective d, string key)
    {
        var many = d.Name == "proxy_ssl_protocols";
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1, many ? int.MaxValue : 1))
        {
            return;
        }

        if (_ssl.TryGetValue(key, out var first))
        {
            diagnostics.Error(d, $"\"{d.Name}\" directive is duplicate (first at line {first.Source.Line})");
            return;
        }

        var arg = d.Args[0];
        string? value;
        switch (d.Name)
        {
            case "proxy_ssl_verify" or "proxy_ssl_server_name":
                if (arg is not ("on" or "off"))
                {
                    diagnostics.Error(d, $"invalid value \"{arg}\" in \"{d.Name}\" directive, it must be \"on\" or \"off\"");
                    return;
                }

                value = arg;
                break;
            case "proxy_ssl_verify_depth":
                if (!NginxNumber.TryParse(arg, out var depth))
                {
                    diagnostics.Error(d, $"\"{d.Name}\" directive invalid number \"{arg}\"");
                    return;
                }

                value = depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "proxy_ssl_protocols":
                value = Protocols(d);
                break;
            case "proxy_ssl_name":
                // $proxy_host is nginx's default, written out per cluster by the merger.
                if (arg == "$proxy_host")
                {
                    return;
                }

                value = arg.Contains('$') ? null : arg;
                if (value is null)
                {
                    diagnostics.NotTranslated(d, "variables are not supported; give a fixed name");
                }

                break;
            default:
                // Files: relative paths are taken from the conf prefix, as nginx does.
                value = arg.Contains('$') ? null : Path.GetFullPath(Path.Combine(confPrefix, arg));
                if (value is null)
                {
                    diagnostics.NotTranslated(d, "certificate paths with variables are not supported");
                }

                break;
        }

        if (value is not null)
        {
            _ssl[key] = new Setting(value, d);
        }
    }

    /// <summary>TLSv1.2 and TLSv1.3 are kept; older protocols are left out with a warning (the gateway does not speak them).</summary>
    private string? Protocols(NginxDirective d)
    {
        string[] known = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
        var kept = new List<string>();
        foreach (var arg in d.Args)
        {
            if (!known.Contains(arg))
            {
                diagnostics.Error(d, $"invalid value \"{arg}\" in \"{d.Name}\" directive");
                return null;
            }

            if (arg is "TLSv1.2" or "TLSv1.3")
            {
                kept.Add(arg);
            }
        }

        if (kept.Count == 0)
        {
            diagnostics.NotTranslated(d, "the gateway speaks TLSv1.2 and TLSv1.3 only");
            return null;
        }

        if (kept.Count < d.Args.Count)
        {
            diagnostics.Warning(d, $"only {string.Join(' ', kept)} kept: the gateway does not speak {string.Join(' ', d.Args.Except(kept))}");
        }

        return string.Join(' ', kept);
    }

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
