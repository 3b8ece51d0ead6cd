using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SaltHaGateway.Import.Nginx;

/// <summary>Writes the imported config in the gateway's JSON contract, indented, keys in a fixed order.</summary>
internal static class GatewayConfigJsonWriter
{
    public static string Write(GatewayModel model)
    {
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var w = new Utf8JsonWriter(stream, options))
        {
            w.WriteStartObject();
            WriteGateway(w, model);
            w.WriteStartObject("ReverseProxy");
            w.WriteStartObject("Routes");
            foreach (var route in model.Routes)
            {
                WriteRoute(w, route);
            }

            w.WriteEndObject();
            w.WriteStartObject("Clusters");
            foreach (var cluster in model.Clusters)
            {
                WriteCluster(w, cluster);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteGateway(Utf8JsonWriter w, GatewayModel model)
    {
        w.WriteStartObject("Gateway");

        // A file with upstreams only (a fragment) leaves the listeners to the gateway's defaults.
        if (model.Listen.Count > 0)
        {
            w.WriteStartArray("Listen");
            foreach (var url in model.Listen)
            {
                w.WriteStringValue(url);
            }

            w.WriteEndArray();
        }

        if (model.RedirectHttps.Count > 0)
        {
            w.WriteStartArray("RedirectHttps");
            foreach (var port in model.RedirectHttps)
            {
                w.WriteNumberValue(port);
            }

            w.WriteEndArray();
        }

        if (model.Tls is { } tls)
        {
            w.WriteStartObject("Tls");
            w.WriteString("Certificate", tls.Certificate);
            w.WriteString("CertificateKey", tls.CertificateKey);
            if (tls.Protocols is not null)
            {
                w.WriteString("Protocols", tls.Protocols);
            }

            if (tls.Ciphers is not null)
            {
                w.WriteString("Ciphers", tls.Ciphers);
            }

            w.WriteEndObject();
        }

        if (model.AccessLog is { } log)
        {
            w.WriteStartObject("AccessLog");
            w.WriteString("Format", log.Format);
            if (log.Path is not null)
            {
                w.WriteString("Path", log.Path);
            }

            w.WriteEndObject();
        }

        if (model.StatusPages.Count > 0)
        {
            w.WriteStartArray("StatusPages");
            foreach (var page in model.StatusPages)
            {
                w.WriteStartObject();
                w.WriteString("Path", page.Path);
                if (page.Access is not null)
                {
                    w.WriteString("Access", page.Access);
                }

                if (page.Format is not null)
                {
                    w.WriteString("Format", page.Format);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteRoute(Utf8JsonWriter w, RouteModel route)
    {
        w.WriteStartObject(route.Id);
        w.WriteString("ClusterId", route.ClusterId);
        if (route.Order is { } order)
        {
            w.WriteNumber("Order", order);
        }

        w.WriteStartObject("Match");
        w.WriteString("Path", route.Path);
        if (route.Hosts is { Count: > 0 } hosts)
        {
            w.WriteStartArray("Hosts");
            foreach (var host in hosts)
            {
                w.WriteStringValue(host);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        if (route.MaxRequestBodySize is { } size)
        {
            w.WriteNumber("MaxRequestBodySize", size);
        }

        if (route.Transforms.Count > 0)
        {
            w.WriteStartArray("Transforms");
            foreach (var transform in route.Transforms)
            {
                w.WriteStartObject();
                w.WriteString(transform.Key, transform.Value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        WriteMetadata(w, route.Metadata);
        w.WriteEndObject();
    }

    private static readonly string[] ClusterKeyOrder =
    [
        "Balance", "NextUpstream", "NextUpstreamTries", "NextUpstreamTimeout", "ConnectTimeout", "Keepalive",
        "Check", "CheckHttpSend", "CheckHttpExpectAlive", "CheckKeepaliveRequests",
    ];

    private static void WriteCluster(Utf8JsonWriter w, ClusterModel cluster)
    {
        w.WriteStartObject(cluster.Id);
        var ordered = new OrderedMetadata();
        foreach (var item in cluster.Metadata.Items.OrderBy(i => Rank(i.Key)))
        {
            ordered.Set(item.Key, item.Value);
        }

        WriteMetadata(w, ordered);
        w.WriteStartObject("Destinations");
        foreach (var destination in cluster.Destinations)
        {
            w.WriteStartObject(destination.Id);
            w.WriteString("Address", destination.Address);
            if (destination.Health is not null)
            {
                w.WriteString("Health", destination.Health);
            }

            WriteMetadata(w, destination.Metadata);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static int Rank(string key)
    {
        var index = Array.IndexOf(ClusterKeyOrder, key);
        return index < 0 ? ClusterKeyOrder.Length : index;
    }

    private static void WriteMetadata(Utf8JsonWriter w, OrderedMetadata metadata)
    {
        if (metadata.Items.Count == 0)
        {
            return;
        }

        w.WriteStartObject("Metadata");
        foreach (var item in metadata.Items)
        {
            w.WriteString(item.Key, item.Value);
        }

        w.WriteEndObject();
    }
}
