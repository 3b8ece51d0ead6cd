using System.Threading.Channels;

namespace SaltHaGateway.Health.Tests;

/// <summary>
/// A prober whose checks the test completes by hand, so the scheduler can run on a FakeTimeProvider.
/// Real probes need real time; they are covered by the socket tests.
/// </summary>
internal sealed class ScriptedProber : IHealthProber
{
    private readonly Channel<PendingProbe> _calls = Channel.CreateUnbounded<PendingProbe>();

    public int Calls;

    public Task<ProbeResult> ProbeAsync(ProbeDefinition probe, CancellationToken ct)
    {
        Interlocked.Increment(ref Calls);
        var pending = new PendingProbe(probe, ct);
        _calls.Writer.TryWrite(pending);
        return pending.Task;
    }

    public async Task<PendingProbe> NextAsync(int seconds = 15)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            return await _calls.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"no probe started within {seconds}s");
        }
    }

    /// <summary>True when no probe has started during a short real-time pause.</summary>
    public async Task<bool> StaysIdleAsync(int milliseconds = 200)
    {
        await Task.Delay(milliseconds);
        return !_calls.Reader.TryPeek(out _);
    }
}

internal sealed class PendingProbe
{
    private readonly TaskCompletionSource<ProbeResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PendingProbe(ProbeDefinition definition, CancellationToken ct)
    {
        Definition = definition;
        Token = ct;
        ct.Register(() => _result.TrySetCanceled(ct));
    }

    public ProbeDefinition Definition { get; }
    public CancellationToken Token { get; }
    public Task<ProbeResult> Task => _result.Task;

    public void Complete(ProbeResult result) => _result.TrySetResult(result);
    public void Succeed() => Complete(ProbeResult.Ok());
    public void Refuse() => Complete(ProbeResult.Fail(ProbeReason.Refused, "connection refused"));
}
