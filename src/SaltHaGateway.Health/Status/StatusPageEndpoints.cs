using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SaltHaGateway.Health;

/// <summary>The check_status location: GET and HEAD (405 otherwise), always 200, format and filter from the query.</summary>
public static partial class StatusPageEndpoints
{
    public static IEndpointConventionBuilder MapCheckStatus(this IEndpointRouteBuilder endpoints, string pattern,
        StatusFormat defaultFormat = StatusFormat.Html)
        => endpoints.Map(pattern, context => HandleAsync(context, defaultFormat)).WithDisplayName("check_status " + pattern);

    public static Task HandleAsync(HttpContext context, StatusFormat defaultFormat = StatusFormat.Html)
    {
        var request = context.Request;
        var response = context.Response;
        var head = HttpMethods.IsHead(request.Method);
        if (!head && !HttpMethods.IsGet(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        }

        var query = StatusQuery.Parse(request.QueryString.Value);
        if (query.BadValues.Count > 0)
        {
            var logger = context.RequestServices.GetService<ILoggerFactory>()?.CreateLogger(typeof(StatusPageEndpoints).FullName!);
            foreach (var value in query.BadValues)
                if (logger is not null) LogBadArgument(logger, value);
        }

        var monitor = context.RequestServices.GetRequiredService<UpstreamHealthMonitor>();
        var format = query.Format ?? defaultFormat;
        var body = StatusPage.RenderBytes(monitor.Snapshot(), format, query.Filter);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = StatusPage.ContentType(format);
        response.ContentLength = body.Length;
        return head || body.Length == 0 ? Task.CompletedTask : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    [LoggerMessage(EventId = 3101, EventName = "StatusBadArgument", Level = LogLevel.Information,
        Message = "http upstream check, bad argument: \"{Value}\"")]
    private static partial void LogBadArgument(ILogger logger, string value);
}
