using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Vrrp.Configuration;
using SaltHaGateway.Vrrp.Tracking;

namespace SaltHaGateway.Vrrp.Tests.Tracking;

public sealed class ProcessTrackingTests
{
    [Fact]
    public void Quorum_counts_between_min_and_max_and_the_first_count_decides_at_once()
    {
        var q = new ProcessQuorum(2, 3, TimeSpan.Zero, TimeSpan.Zero, new FakeTimeProvider());
        Assert.False(q.Record(1));
        Assert.True(q.Record(2));
        Assert.True(q.Record(3));
        Assert.False(q.Record(4));   // quorum_max exceeded
    }

    [Fact]
    public void Fork_and_terminate_delays_hold_the_state_until_the_change_has_lasted()
    {
        var time = new FakeTimeProvider();
        var q = new ProcessQuorum(1, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), time);
        Assert.True(q.Record(1));
        Assert.True(q.Record(0));             // lost, but terminate_delay not over
        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.True(q.Record(0));
        Assert.True(q.Record(1));             // back: the pending loss is forgotten
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(q.Record(0));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(q.Record(0));
        Assert.False(q.Record(1));            // regained, fork_delay 2 s
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(q.Record(1));
    }

    [Theory]
    [InlineData(null, new[] { "-c", "x" }, new[] { "-c", "x" }, true)]
    [InlineData(null, new[] { "-c" }, new[] { "-c", "x" }, false)]           // exact by default
    [InlineData("partial", new[] { "-c" }, new[] { "-c", "x" }, true)]
    [InlineData("partial", new[] { "-d" }, new[] { "-c", "x" }, false)]
    [InlineData("initial", new[] { "-c", "/etc/sa" }, new[] { "-c", "/etc/salt" }, true)]
    [InlineData("initial", new[] { "-c", "/etc/x" }, new[] { "-c", "/etc/salt" }, false)]
    [InlineData("exact", new string[0], new string[0], true)]               // param_match alone: no parameters allowed
    [InlineData("exact", new string[0], new[] { "-d" }, false)]
    public void Parameters_match_like_keepalived(string? match, string[] want, string[] args, bool expected)
    {
        var spec = new VrrpTrackProcessOptions { Process = "p", Parameters = want.Length == 0 ? null : want.ToList(), ParamMatch = match };
        Assert.Equal(expected, ProcessTable.ParametersMatch(spec, args));
    }

    [Fact]
    public void Counts_real_processes_by_name_and_by_command_line()
    {
        string marker = "3" + Random.Shared.Next(100000, 999999);   // a sleep nobody else runs
        using var sleeper = Process.Start("sleep", marker)!;
        try
        {
            Assert.True(SpinWait.SpinUntil(() => ProcessTable.Count(new() { Process = "sleep", Parameters = [marker] }) == 1, 5000));
            Assert.True(ProcessTable.Count(new() { Process = "sleep" }) >= 1);
            Assert.Equal(0, ProcessTable.Count(new() { Process = "slee" }));          // exact name, not a prefix
            Assert.Equal(0, ProcessTable.Count(new() { Process = "sleep", Parameters = [marker + "0"] }));
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
        Assert.Equal(0, ProcessTable.Count(new() { Process = "sleep", Parameters = [marker] }));
    }
}
