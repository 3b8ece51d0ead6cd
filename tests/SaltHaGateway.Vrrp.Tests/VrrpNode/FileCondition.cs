namespace SaltHaGateway.Vrrp.VrrpNode;

/// <summary>Up while a file exists; polled every 50 ms.</summary>
internal sealed class FileCondition(string name, string path) : ITrackedCondition
{
    private Timer? _timer;
    private volatile bool _up = File.Exists(path);

    public string Name => name;
    public bool IsUp => _up;
    public event Action? Changed;

    public void Start() => _timer = new Timer(_ =>
    {
        bool now = File.Exists(path);
        if (now != _up)
        {
            _up = now;
            Changed?.Invoke();
        }
    }, null, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
}
