using System.Text;

using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// Collects an upstream's nginx_upstream_check_module directives (check, check_http_send,
/// check_http_expect_alive, check_keepalive_requests) and writes them as cluster metadata.
/// </summary>
internal sealed class UpstreamCheckBuilder(ImportDiagnostics diagnostics)
{
    private static readonly string[] ExpectAliveValues = ["http_2xx", "http_3xx", "http_4xx", "http_5xx"];
    private readonly List<(NginxDirective Source, string Key, string Value)> _settings = [];

    public HealthCheckSpec? Check { get; private set; }

    /// <summary>True when the gateway will actively check this upstream.</summary>
    public bool Active => Check is { GatewaySupportsType: true };

    /// <summary>Takes the directive if it belongs to the check module; <paramref name="valid"/> is false on an error.</summary>
    public bool TryApply(NginxDirective d, out bool valid)
    {
        valid = true;
        switch (d.Name)
        {
            case "check":
                if (Check is not null)
                {
                    diagnostics.Warning(d, "\"check\" given twice in this upstream; the last one is used");
                }

                Check = HealthCheckSpec.Parse(d, diagnostics);
                valid = Check is not null;
                return true;

            case "check_http_send":
                valid = diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 1, 1);
                if (valid)
                {
                    _settings.Add((d, "CheckHttpSend", Escape(d.Args[0])));
                }

                return true;

            case "check_http_expect_alive":
                valid = diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 1);
                if (valid && d.Args.FirstOrDefault(a => !ExpectAliveValues.Contains(a, StringComparer.OrdinalIgnoreCase)) is { } bad)
                {
                    diagnostics.Error(d, $"invalid value \"{bad}\"");
                    valid = false;
                }

                if (valid)
                {
                    _settings.Add((d, "CheckHttpExpectAlive", string.Join(' ', d.Args)));
                }

                return true;

            case "check_keepalive_requests":
                valid = diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 1, 1);
                if (valid && (!NginxNumber.TryParse(d.Args[0], out var requests) || requests == 0))
                {
                    diagnostics.Error(d, $"invalid value \"{d.Args[0]}\" in \"check_keepalive_requests\" directive");
                    valid = false;
                }

                if (valid)
                {
                    _settings.Add((d, "CheckKeepaliveRequests", d.Args[0]));
                }

                return true;

            default:
                return false;
        }
    }

    public void WriteTo(ClusterModel cluster, NginxDirective upstream)
    {
        if (Check is null)
        {
            foreach (var setting in _settings)
            {
                diagnostics.Warning(setting.Source, "has no effect without a \"check\" directive in the same upstream; left out");
            }

            return;
        }

        if (!Check.GatewaySupportsType)
        {
            diagnostics.Warning(upstream,
                $"upstream \"{cluster.Id}\": check type \"{Check.Type}\" is not supported by the gateway (tcp, ssl_hello, http); the upstream is imported without active checks");
            return;
        }

        cluster.Metadata.Set("Check", Check.Verbatim);
        foreach (var setting in _settings)
        {
            cluster.Metadata.Set(setting.Key, setting.Value);
        }
    }

    /// <summary>Back to nginx string escapes, as the contract keeps check_http_send ("\r\n" as two characters).</summary>
    internal static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        foreach (var ch in value)
        {
            sb.Append(ch switch
            {
                '\\' => @"\\",
                '\r' => @"\r",
                '\n' => @"\n",
                '\t' => @"\t",
                _ => ch.ToString(),
            });
        }

        return sb.ToString();
    }
}
