using Microsoft.Extensions.Time.Testing;
using Prometheus;
using SaltHaGateway.Admin;
using SaltHaGateway.Proxy.Observability;

namespace SaltHaGateway.Tests.Admin;

public sealed class RequestRateSamplerTests
{
    [Fact]
    public void Rates_are_the_counters_difference_over_the_interval_between_samples_at_least_a_second_apart()
    {
        var metrics = new ProxyMetrics(Metrics.NewCustomRegistry());
        var time = new FakeTimeProvider();
        var sampler = new RequestRateSampler(metrics, time);
        for (var i = 0; i < 3; i++) metrics.RecordRequest("r", "act2", "a:1", 200, 0.01);

        var first = sampler.Current();
        Assert.Equal(3, first.Requests);
        Assert.Null(first.RequestsPerSecond);

        for (var i = 0; i < 16; i++) metrics.RecordRequest("r", "act2", "a:1", 200, 0.01);
        for (var i = 0; i < 4; i++) metrics.RecordRequest("r", "act2", "", 502, 0.01);
        time.Advance(TimeSpan.FromSeconds(2));
        var second = sampler.Current();
        Assert.Equal((23, 4, 2.0, 10.0, 2.0),
            (second.Requests, second.ServerErrors, second.IntervalSeconds, second.RequestsPerSecond, second.ServerErrorsPerSecond));

        // Another page asking half a second later shares that interval.
        metrics.RecordRequest("r", "act2", "a:1", 200, 0.01);
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(second, sampler.Current());
    }
}
