using System.Net;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing.Matching;
using Prometheus;
using SaltHaGateway.AccessLog;
using SaltHaGateway.Health;
using SaltHaGateway.Sync;
using SaltHaGateway.Sync.Hosting;
using SaltHaGateway.Vrrp;
using SaltHaGateway.Admin;
using SaltHaGateway.Control;
using SaltHaGateway.Maintenance;
using SaltHaGateway.Sticky;
using SaltHaGateway.Proxy;
using SaltHaGateway.Proxy.Configuration;
using Serilog;

namespace SaltHaGateway.Hosting;

/// <summary>
/// The <c>run</c> verb: validates the config, then starts one web host with the proxy listeners and the admin
/// listener, and every enabled subsystem. Returns the process exit code.
/// </summary>
public static class GatewayApp
{
    public static async Task<int> RunAsync(string? configPath, string[] overrides, TextWriter stderr, CancellationToken ct)
    {
        RuntimeMetrics.Configure();
        var file = ConfigFileLocator.Resolve(configPath);
        var check = await ConfigCheck.RunAsync(file, overrides);
        if (check.Errors.Count > 0)
        {
            foreach (var e in check.Errors) await stderr.WriteLineAsync($"salt-ha-gateway: {file}: {e}");
            return 1;
        }

        var options = check.Gateway!;
        await using var logger = GatewayLogging.Create(options.JsonLogs, options.LogLevel);
        foreach (var w in check.Warnings ?? []) logger.Warning("{File}: {Problem}", file, w.ToString());
        ControlSocket.Plan control;
        try
        {
            control = ControlSocket.Prepare(options.ControlSocket);
        }
        catch (InvalidOperationException e)
        {
            await stderr.WriteLineAsync($"salt-ha-gateway: {file}: {e.Message}");
            return 1;
        }
        if (!control.Available)
            logger.Warning("Control socket {Path} unavailable ({Problem}): `maintenance` and other state-changing verbs will not work; run as root or set Gateway:Control:Socket",
                control.Path, control.Problem);
        var token = AdminGuard.LoadToken(options.AdminGuard?.TokenFile, out var tokenProblem);
        if (tokenProblem is not null)
        {
            await stderr.WriteLineAsync($"salt-ha-gateway: {file}: {tokenProblem}");
            return 1;
        }
        var app = Build(file, check, options, logger, control, token);
        try
        {
            // The certificate is loaded now, so a pair that changed since the check fails here with its file name.
            app.Services.GetService<TlsCertificateSource>();
        }
        catch (PemCertificatePair.LoadException e)
        {
            await stderr.WriteLineAsync($"salt-ha-gateway: {file}: Gateway:Tls:{e.Key}: {e.Message}");
            await app.DisposeAsync();
            return 1;
        }
        try
        {
            app.Services.GetRequiredService<MaintenanceMode>().ApplyAtStart();
            if (app.Services.GetService<SyncEngine>() is { } sync)
            {
                var pair = app.Services.GetRequiredService<PairStatusSource>();
                sync.NodeStatus = pair.LocalJson;
                sync.AddChannel(new Sticky.StickyPeerChannel(app.Services.GetRequiredService<Proxy.Sticky.StickyTables>()));
            }
            else if (check.Proxy!.Upstreams.Any(u => u.Value.Sticky is { Sync: true }))
            {
                logger.Warning("sticky ... sync is set but ConfigSync is not enabled: learned sessions stay on this gateway");
            }
            await RunFirstHealthRoundAsync(app, ct);
            await app.StartAsync(ct);
            if (control.Available) ControlSocket.Restrict(control.Path);
        }
        catch (Exception e) when (BindFailure.Explain(e, options) is { } why)
        {
            await stderr.WriteLineAsync($"salt-ha-gateway: {why}");
            await app.DisposeAsync();
            return 1;
        }
        catch (VrrpStartupException e)
        {
            await stderr.WriteLineAsync($"salt-ha-gateway: {e.Message}");
            await app.DisposeAsync();
            return 1;
        }
        await WarmUpProxyPathAsync(app, options, ct);
        OnStarted(app, options);
        try
        {
            await app.WaitForShutdownAsync(ct);
        }
        finally
        {
            await app.DisposeAsync();
            if (control.Available) ControlSocket.Remove(control.Path);
        }
        return 0;
    }

    public static WebApplication Build(string file, ConfigCheck.Result check, GatewayOptions options, Serilog.ILogger logger, ControlSocket.Plan? control = null,
        byte[]? token = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(check.Configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(logger, dispose: false);

        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = SocketTuning.InlineEnabled);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(75);
            // The whole request line and header must arrive within this time, however slowly they trickle in.
            kestrel.Limits.RequestHeadersTimeout = options.ClientHeaderTimeout ?? GatewayOptions.DefaultClientHeaderTimeout;
            var tls = kestrel.ApplicationServices.GetService<TlsCertificateSource>();
            foreach (var listen in options.Listen.Append(options.AdminListen))
            {
                Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> configure = listen.Https ? l => UseTls(l, tls!) : _ => { };
                if (listen.IsAny) kestrel.ListenAnyIP(listen.Port, configure);
                else kestrel.Listen(listen.Address!, listen.Port, configure);
            }
            if (control is { Available: true }) kestrel.ListenUnixSocket(control.Path);
        });

        var services = builder.Services;
        services.AddSingleton(options);
        if (options.Tls is { } tlsOptions)
            services.AddSingleton(sp => new TlsCertificateSource(tlsOptions, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TlsCertificateSource>>()));
        services.AddSingleton(new AdminPort { Port = options.AdminListen.Port });
        services.AddSingleton<MatcherPolicy, AdminListenerPolicy>();
        services.AddSingleton<ListenerReadiness>();
        GatewayServices.AddConfigValidators(services);
        GatewayServices.AddUpstreamHealth(services);
        services.AddGatewayProxy(new GatewayConfigSource(file, check.Proxy!));

        var tracking = new VrrpTracking(check.Proxy!);
        services.AddSingleton(tracking);
        services.AddSingleton<IGatewayConfigListener>(tracking);
        foreach (var condition in tracking.Conditions) services.AddSingleton(condition);

        var syncSection = check.Configuration.GetSection("ConfigSync");
        services.AddConfigSync(syncSection);
        if (syncSection.GetValue<bool>("Enabled"))
        {
            services.AddSingleton<SyncHealthCondition>();
            services.AddHostedService(sp => sp.GetRequiredService<SyncHealthCondition>());
            services.AddSingleton<ITrackedCondition>(sp => sp.GetRequiredService<SyncHealthCondition>().Condition);
        }
        services.AddVrrp(check.Configuration.GetSection("Vrrp"));
        services.AddSingleton<MaintenanceMode>();
        services.AddSingleton(sp => new AdminGuard(options.AdminGuard ?? new AdminGuardOptions([], null, null), options.AdminListen.Port, token,
            sp.GetRequiredService<Proxy.Forwarding.ProxyPathWarmup>(), sp.GetRequiredService<ILogger<AdminGuard>>()));
        services.AddSingleton<PairStatusSource>();
        services.AddSingleton<RequestRateSampler>();
        services.AddSingleton<UiSummarySource>();
        services.AddHostedService<StartupReachabilityReport>();
        services.AddHealthChecks()
            .AddCheck("alive", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(), ["live"])
            .AddCheck<ReadinessCheck>("ready", tags: ["ready"]);
        if (options.AccessLogFormat != AccessLogFormat.Off)
        {
            services.AddSingleton(new AccessLogWriter(options.AccessLogPath));
            services.AddHostedService(sp => sp.GetRequiredService<AccessLogWriter>());
        }
        // Last, so that its StoppingAsync (STOPPING=1) runs before VRRP's handover: the host stops in reverse order.
        services.AddSingleton(SdNotifySocket.FromEnvironment());
        services.AddSingleton<SystemdNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<SystemdNotifier>());

        var app = builder.Build();
        var adminPort = options.AdminListen.Port;
        // A request on a proxy listener whose route is known from its path alone (ProxyRouteTable) skips routing and
        // authorization and goes straight to the proxy steps; every other request takes the full pipeline below.
        var routes = new ProxyRouteTable(((IEndpointRouteBuilder)app).DataSources);
        var proxySteps = ((IApplicationBuilder)app).New();
        UseProxyListenerSteps(proxySteps, app, options, adminPort);
        proxySteps.Run(context => context.GetEndpoint()!.RequestDelegate!(context));
        var proxy = proxySteps.Build();
        app.Use(next => context =>
        {
            if (AdminListenerPolicy.KindOf(context.Connection, adminPort) == ListenerKind.Proxy && routes.Match(context.Request.Path.Value) is { } route)
            {
                context.SetEndpoint(route);
                return proxy(context);
            }
            return next(context);
        });
        app.UseRouting();
        app.UseAuthorization();
        var guard = app.Services.GetRequiredService<AdminGuard>();
        app.Use((context, next) => guard.InvokeAsync(context, next));
        app.UseWhen(c => AdminListenerPolicy.KindOf(c.Connection, adminPort) == ListenerKind.Proxy, b => UseProxyListenerSteps(b, app, options, adminPort));
        // Nothing on the admin listener or the control socket is proxied.
        app.MapGatewayProxy(next => context =>
        {
            if (AdminListenerPolicy.KindOf(context.Connection, adminPort) == ListenerKind.Proxy) return next(context);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        MapAdmin(app);
        foreach (var page in options.StatusPages) MapStatusPage(app, page);
        return app;
    }

    /// <summary>The steps every request on a proxy listener takes before its route: the access log (not for the
    /// start-up warm-up) and the redirect to https.</summary>
    private static void UseProxyListenerSteps(IApplicationBuilder b, WebApplication app, GatewayOptions options, int adminPort)
    {
        if (options.AccessLogFormat != AccessLogFormat.Off)
        {
            var writer = app.Services.GetRequiredService<AccessLogWriter>();
            var time = app.Services.GetRequiredService<TimeProvider>();
            var warmup = app.Services.GetRequiredService<Proxy.Forwarding.ProxyPathWarmup>();
            b.UseWhen(c => !warmup.Claims(c, out _), w => w.UseMiddleware<AccessLogMiddleware>(writer, options.AccessLogFormat, time));
        }
        if (options.RedirectHttps is { Count: > 0 } redirectPorts)
        {
            var redirect = new HttpsRedirect(redirectPorts, options.HttpsPort, adminPort, app.Services.GetRequiredService<Proxy.Forwarding.ProxyPathWarmup>());
            b.Use((context, next) => redirect.InvokeAsync(context, () => next(context)));
        }
    }

    /// <summary>An https listener (nginx's <c>listen 443 ssl</c>): HTTP/1.1 and HTTP/2 by ALPN, and the certificate
    /// and TLS settings of <see cref="TlsCertificateSource"/>, asked again for every new connection.</summary>
    private static void UseTls(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen, TlsCertificateSource tls)
    {
        listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
        listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(tls.ServerOptions()),
        });
    }

    /// <summary>The first round of health checks runs before the listeners accept traffic (each check bounded by
    /// its timeout), so a restart does not send a burst of requests to servers that are down.</summary>
    private static async Task RunFirstHealthRoundAsync(WebApplication app, CancellationToken ct)
    {
        app.Services.GetRequiredService<ConfigFileReloader>().AnnounceInitial();
        var health = app.Services.GetRequiredService<UpstreamHealthMonitor>();
        await health.RunFirstRoundAsync(ct);
        app.Services.GetRequiredService<VrrpTracking>().Follow(health);
        app.Services.GetRequiredService<Proxy.Upstreams.UpstreamTable>().RefreshHealth();
    }

    /// <summary>Before this node says it can serve (readiness, the VRRP <c>listener</c> condition), the proxy path is
    /// compiled by a few requests that go to the admin listener instead of an upstream (see ProxyPathWarmup). An https
    /// listener is preferred (the TLS handshake is compiled too), then a plain one that does not redirect.</summary>
    private static async Task WarmUpProxyPathAsync(WebApplication app, GatewayOptions options, CancellationToken ct)
    {
        var redirects = options.RedirectHttps ?? [];
        var listener = options.Listen.FirstOrDefault(l => l.Https) ?? options.Listen.FirstOrDefault(l => !redirects.Contains(l.Port)) ?? options.Listen[0];
        var route = app.Services.GetRequiredService<ConfigFileReloader>().Current.Routes.FirstOrDefault();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await app.Services.GetRequiredService<Proxy.Forwarding.ProxyPathWarmup>()
            .RunAsync(Loopback(listener), Loopback(options.AdminListen), route, requests: 3, ct);
        app.Services.GetRequiredService<ILogger<WebApplication>>().LogDebug("proxy path warmed up in {Milliseconds:F0} ms",
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The URL this host reaches a listener at: 127.0.0.1 for a wildcard address.</summary>
    internal static Uri Loopback(ListenAddress l)
    {
        var scheme = l.Https ? "https" : "http";
        return new(l.IsAny || l.Address!.Equals(IPAddress.IPv6Any) || l.Address.Equals(IPAddress.Any)
            ? $"{scheme}://127.0.0.1:{l.Port}/"
            : $"{scheme}://{(l.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{l.Address}]" : l.Address.ToString())}:{l.Port}/");
    }

    private static void MapStatusPage(WebApplication app, StatusPageOptions page) =>
        app.Map(page.Path, context =>
        {
            if (page.Access is { } access && !access.IsAllowed(ClientAddress.IpOf(context)))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }
            return StatusPageEndpoints.HandleAsync(context, page.Format);
        }).WithDisplayName("check_status " + page.Path);

    private static void MapAdmin(WebApplication app)
    {
        app.Services.GetRequiredService<Proxy.Observability.UpstreamUpGauge>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() => app.Services.GetRequiredService<Proxy.Observability.UpstreamUpGauge>().Update());
        var stickyTables = app.Services.GetRequiredService<Proxy.Sticky.StickyTables>();
        var stickyMetrics = app.Services.GetRequiredService<Proxy.Sticky.StickyMetrics>();
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() => stickyMetrics.Update(stickyTables));
        var tlsMetrics = new TlsCertificateMetrics(app.Services.GetRequiredService<Proxy.Upstreams.UpstreamTable>(), app.Services.GetService<TlsCertificateSource>());
        Metrics.DefaultRegistry.AddBeforeCollectCallback(tlsMetrics.Update);
        if (app.Services.GetService<SyncEngine>() is { } sync) Metrics.DefaultRegistry.AddBeforeCollectCallback(sync.UpdateOpenConflictsMetric);
        app.MapStickyStatus().AdminOnly();
        app.MapMetrics("/metrics").AdminOnly();
        app.MapCheckStatus("/status").AdminOnly();
        app.MapVrrpStatus().AdminOnly();
        app.MapConfigSyncStatus().AdminOnly();
        app.MapConfigSyncConflicts().AdminOnly();
        app.MapConfigSyncResolve().ControlOnly();
        app.MapMaintenance();
        app.MapGet("/pair/status", async (PairStatusSource pair, CancellationToken ct) =>
            Results.Json(await pair.PairAsync(ct), AdminJsonContext.Indented.PairStatus)).AdminOnly();
        app.MapAdminPage();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") }).AdminOnly();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponse.WriteJson }).AdminOnly();
    }

    private static void OnStarted(WebApplication app, GatewayOptions options)
    {
        app.Services.GetRequiredService<ListenerReadiness>().MarkBound();
        // The listener condition stays up through a graceful stop: VRRP hands the VIP over first (make-before-break),
        // and the listeners keep serving until the peer has taken it.
        app.Services.GetRequiredService<VrrpTracking>().Listener.Set(true);
        app.Services.GetRequiredService<SystemdNotifier>().Ready();
        var log = app.Services.GetRequiredService<ILogger<WebApplication>>();
        var reloader = app.Services.GetRequiredService<ConfigFileReloader>();
        log.LogInformation("salt-ha-gateway listening on {Listen}; admin on {Admin}; config generation {Generation} (revision {Revision})",
            string.Join(", ", options.Listen.Select(l => l.Url)), options.AdminListen.Url, reloader.Generation, reloader.Current.Revision);
    }
}
