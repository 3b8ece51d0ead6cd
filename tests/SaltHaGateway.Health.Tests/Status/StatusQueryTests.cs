namespace SaltHaGateway.Health.Tests.Status;

public sealed class StatusQueryTests
{
    [Theory]
    [InlineData(null, null, StatusFilter.All)]
    [InlineData("", null, StatusFilter.All)]
    [InlineData("?format=json", StatusFormat.Json, StatusFilter.All)]
    [InlineData("?FORMAT=csv&Status=DOWN", StatusFormat.Csv, StatusFilter.Down)]
    [InlineData("?status=Up&format=html", StatusFormat.Html, StatusFilter.Up)]
    [InlineData("?format=prometheus", StatusFormat.Prometheus, StatusFilter.All)]
    [InlineData("?format=json&format=csv", StatusFormat.Json, StatusFilter.All)]
    [InlineData("?xformat=csv&format=json", StatusFormat.Json, StatusFilter.All)]
    [InlineData("?a=1&format=csv", StatusFormat.Csv, StatusFilter.All)]
    [InlineData("?myformat=csv", null, StatusFilter.All)]
    [InlineData("?format", null, StatusFilter.All)]
    [InlineData("?statusx=down", null, StatusFilter.All)]
    public void Reads_arguments_like_nginx(string? query, StatusFormat? format, StatusFilter filter)
    {
        var q = StatusQuery.Parse(query);
        Assert.Equal(format, q.Format);
        Assert.Equal(filter, q.Filter);
        Assert.Empty(q.BadValues);
    }

    [Theory]
    [InlineData("?format=JSON", "JSON")]
    [InlineData("?format=json%20", "json%20")]
    [InlineData("?status=sideways", "sideways")]
    [InlineData("?format=", "")]
    public void Bad_values_are_reported_and_ignored(string query, string bad)
    {
        var q = StatusQuery.Parse(query);
        Assert.Equal(bad, Assert.Single(q.BadValues));
        Assert.Null(q.Format);
        Assert.Equal(StatusFilter.All, q.Filter);
    }
}
