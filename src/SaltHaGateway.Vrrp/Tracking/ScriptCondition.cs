using SaltHaGateway.Vrrp.Adapters;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Vrrp.Tracking;

/// <summary>vrrp_script: exit status 0 is success; failure, signal or timeout count as failure.</summary>
internal sealed class ScriptCondition : PolledCondition
{
    private readonly VrrpScriptOptions _options;
    private readonly RiseFallCounter _counter;
    private readonly ScriptIdentity? _identity;

    public ScriptCondition(string name, VrrpScriptOptions options, ScriptIdentity? identity = null)
        : base("script:" + name, !options.InitFail)
    {
        _identity = identity;
        _options = options;
        _counter = new RiseFallCounter(options.Rise, options.Fall, !options.InitFail);
    }

    protected override TimeSpan Interval => TimeSpan.FromSeconds(_options.IntervalSeconds);

    protected override async Task<bool> EvaluateAsync(bool current, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds ?? _options.IntervalSeconds);
        int exit;
        try
        {
            exit = await NotifyScriptRunner.RunAsync(_options.Command, [], timeout, ct, _identity);
        }
        catch (InvalidOperationException)
        {
            exit = -1;
        }
        _counter.Record(exit == 0);
        return _counter.IsUp;
    }
}
