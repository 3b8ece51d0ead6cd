namespace SaltHaGateway.Import.Nginx;

/// <summary>String metadata in the order it was added; setting a key again replaces its value in place.</summary>
internal sealed class OrderedMetadata
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    public IReadOnlyList<KeyValuePair<string, string>> Items => _items;

    public string? this[string key] => _items.FirstOrDefault(i => i.Key == key).Value;

    public void Set(string key, string value)
    {
        var index = _items.FindIndex(i => i.Key == key);
        if (index >= 0)
        {
            _items[index] = new(key, value);
        }
        else
        {
            _items.Add(new(key, value));
        }
    }
}

internal sealed class DestinationModel(string id, string authority)
{
    public string Id { get; } = id;

    /// <summary>host:port; the scheme comes from the proxy_pass lines that use the cluster.</summary>
    public string Authority { get; } = authority;

    public string Address { get; set; } = $"http://{authority}";
    public string? Health { get; set; }
    public OrderedMetadata Metadata { get; } = new();
}

internal sealed class ClusterModel(string id, NginxDirective? source)
{
    public string Id { get; } = id;

    /// <summary>The upstream block (null for a cluster made from a proxy_pass address).</summary>
    public NginxDirective? Source { get; } = source;

    public string? Scheme { get; set; }
    public OrderedMetadata Metadata { get; } = new();
    public List<DestinationModel> Destinations { get; } = [];
}

internal sealed class RouteModel(string id, string clusterId, string path)
{
    public string Id { get; } = id;
    public string ClusterId { get; } = clusterId;
    public string Path { get; } = path;
    public List<string>? Hosts { get; set; }
    public int? Order { get; set; }
    public long? MaxRequestBodySize { get; set; }
    public List<KeyValuePair<string, string>> Transforms { get; } = [];
    public OrderedMetadata Metadata { get; } = new();
}

internal sealed record StatusPageModel(string Path, string? Access, string? Format = null);

internal sealed record AccessLogModel(string Format, string? Path);

/// <summary><c>Gateway:Tls</c>: absolute PEM paths, and protocols and ciphers when the nginx config set them.</summary>
internal sealed record TlsModel(string Certificate, string CertificateKey, string? Protocols, string? Ciphers);

/// <summary>Everything the importer writes, in output order.</summary>
internal sealed class GatewayModel
{
    public List<string> Listen { get; } = [];
    public List<int> RedirectHttps { get; } = [];
    public TlsModel? Tls { get; set; }
    public AccessLogModel? AccessLog { get; set; }
    public List<StatusPageModel> StatusPages { get; } = [];
    public List<RouteModel> Routes { get; } = [];
    public List<ClusterModel> Clusters { get; } = [];
}
