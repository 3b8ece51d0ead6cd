using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SaltHaGateway.Import.Nginx;

namespace SaltHaGateway.Import.Tests.Nginx;

/// <summary>
/// The real nginx (`nginx -t`) and the importer must agree on which configs are valid. Only cases without the
/// check module (not in distribution nginx) and without host names (nginx would resolve them) are compared;
/// listeners are on a free loopback port because nginx -t binds them.
/// </summary>
public sealed class NginxCrossCheckTests
{
    private const string Nginx = "/usr/sbin/nginx";

    private const string Act2 = "upstream act2 {\n server 192.168.1.19:6868;\n server 192.168.1.20:6868;\n}\n";

    public static TheoryData<string, bool> Cases => new()
    {
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / {\n  proxy_pass http://act2;\n  proxy_set_header Host $host:$server_port;\n }\n}\n", true },
        { "upstream u {\n ip_hash;\n server 10.0.0.1:80 weight=2 max_fails=3 fail_timeout=30s;\n server 10.0.0.2:80 down;\n}\n", true },
        { "upstream u {\n least_conn;\n server 10.0.0.1:80 fail_timeout=1m;\n server 10.0.0.2 backup;\n keepalive 16;\n}\n", true },
        { "upstream u {\n hash $remote_addr consistent;\n server 10.0.0.1:80;\n server [::1]:81 max_fails=0;\n}\n", true },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n client_max_body_size 10m;\n allow 10.0.0.0/8;\n deny all;\n location = /x { proxy_pass http://act2/y; }\n location ^~ /a/ { proxy_pass http://act2/b/; }\n location /c { proxy_pass http://act2; proxy_connect_timeout 1500ms; proxy_next_upstream error timeout http_502; proxy_next_upstream_tries 3; proxy_next_upstream_timeout 1m; access_log off; }\n}\n", true },
        { "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://later; }\n}\nupstream later { server 10.0.0.1:80; }\n", true },
        { "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://127.0.0.1:8000/; }\n}\n", true },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; proxy_connect_timeout 1s500; client_max_body_size 0; allow 10.1.2.3/8; }\n}\n", true },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; proxy_connect_timeout \"1h 30m\"; }\n}\n", true },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; proxy_connect_timeout 1s1s; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n server_name www.*.example;\n}\n", true },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; proxy_set_header X-A a#b; proxy_set_header X-B ${host}x; proxy_set_header X-C 'q\\'s'; }\n}\n", true },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; proxy_set_header X-A \"a\"b; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n server_name a}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P}; # comment }\n}\n", true },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n server_name *.example.com .example.org www.example.* _ \"\";\n}\n", true },
        { "upstream u { server 10.0.0.1:80 weight=0; }\n", false },
        { "upstream u { server 10.0.0.1:80 weight=x; }\n", false },
        { "upstream u { server 10.0.0.1:80 max_fails=x; }\n", false },
        { "upstream u { server 10.0.0.1:80 fail_timeout=10x; }\n", false },
        { "upstream u { server 10.0.0.1:80 slow; }\n", false },
        { "upstream u { server 10.0.0.1:80 fail_timeout=500ms; }\n", false },
        { "upstream u { server 10.0.0.1:80 fail_timeout=1s1m; }\n", false },
        { "upstream u { server 10.0.0.1:80 fail_timeout=1m30 max_conns=5; }\n", true },
        { "upstream u { server 10.0.0.1:80 max_fails=-1; }\n", false },
        { "upstream u { server 10.0.0.1:99999; }\n", false },
        { "upstream u { ip_hash; server 10.0.0.1:80; server 10.0.0.2:80 backup; }\n", false },
        { "upstream u { hash $remote_addr; server 10.0.0.1:80; server 10.0.0.2:80 backup; }\n", false },
        { "upstream u { hash $remote_addr sticky; server 10.0.0.1:80; }\n", false },
        { "upstream u { server 10.0.0.1:80; keepalive 0; }\n", false },
        { "upstream u { }\n", false },
        { "upstream u { server 10.0.0.1:80; }\nupstream u { server 10.0.0.2:80; }\n", false },
        { "upstream u { server 10.0.0.1:80; location / { } }\n", false },
        { "upstream u {\n server 10.0.0.1:80\n server 10.0.0.2:80;\n}\n", false },
        { "upstream u {\n server 10.0.0.1:80;\n", false },
        { "upstream u {\n server 10.0.0.1:80;\n}\n}\n", false },
        { "upstream u {\n server 10.0.0.1:80\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P}\n location / { proxy_pass http://act2; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P} fancy;\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n server 10.0.0.1:80;\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; }\n location / { proxy_pass http://act2; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2:8080; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass ftp://act2; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; client_max_body_size 10mb; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; proxy_connect_timeout 3x; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; proxy_connect_timeout 1s; proxy_connect_timeout 2s; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; proxy_next_upstream error http_418; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; proxy_next_upstream_tries two; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; allow 10.0.0.0/33; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2; deny 300.1.1.1; }\n}\n", false },
        { Act2 + "server {\n listen 127.0.0.1:{P};\n location / { proxy_pass http://act2 \"x\"y; }\n}\n", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ImporterAgreesWithNginx(string httpBody, bool valid)
    {
        using var config = new TempNginxConfig();
        string body, nginxOutput;
        bool nginx;
        var attempts = 0;
        do
        {
            // nginx -t binds the listeners; another test may take the free port first, so try another one.
            body = httpBody.Replace("{P}", TestPorts.Free().ToString());
            nginx = NginxAccepts(config, body, out nginxOutput);
        }
        while (!nginx && nginxOutput.Contains("bind()") && ++attempts < 3);

        Assert.True(valid == nginx, $"nginx -t {(nginx ? "accepted" : "rejected")} the case: {nginxOutput}");

        var result = NginxConfigImporter.Import(config.Write("import.conf", body));
        Assert.True(valid == result.Succeeded, string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public void NginxAcceptsABackupServerBeforeIpHashWhichTheImportRejects()
    {
        // Documented difference: nginx only checks "backup" against a method declared earlier.
        using var config = new TempNginxConfig();
        const string body = "upstream u { server 10.0.0.1:80; server 10.0.0.2:80 backup; ip_hash; }\n";
        Assert.True(NginxAccepts(config, body, out var output), output);
        Assert.False(NginxConfigImporter.Import(config.Write("import.conf", body)).Succeeded);
    }

    [Fact]
    public void NestedRelativeIncludesResolveAgainstTheConfPrefixLikeNginx()
    {
        using var config = new TempNginxConfig();
        config.Write("snippets/u.conf", "upstream u { server 10.0.0.1:80; }\n");
        config.Write("conf.d/site.conf", "include snippets/u.conf;\ninclude sites-enabled/*.conf;\n");
        const string body = "include conf.d/*.conf;\n";
        Assert.True(NginxAccepts(config, body, out var output), output);

        var result = NginxConfigImporter.Import(config.Write("import.conf", body));
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Contains("\"u\"", result.Json);
    }

    private static bool NginxAccepts(TempNginxConfig config, string httpBody, out string output)
    {
        Assert.True(File.Exists(Nginx), $"{Nginx} is needed (Debian package nginx, installed by tests/run.sh)");
        var main = config.Write("nginx.conf", $$"""
            pid {{config.Dir}}/nginx.pid;
            error_log {{config.Dir}}/error.log;
            events { }
            http {
              access_log off;
              client_body_temp_path {{config.Dir}}/body;
              proxy_temp_path {{config.Dir}}/proxy;
              fastcgi_temp_path {{config.Dir}}/fastcgi;
              uwsgi_temp_path {{config.Dir}}/uwsgi;
              scgi_temp_path {{config.Dir}}/scgi;
              include {{config.Dir}}/body.conf;
            }
            """);
        config.Write("body.conf", httpBody);
        var start = new ProcessStartInfo(Nginx)
        {
            ArgumentList = { "-t", "-q", "-p", config.Dir, "-e", Path.Combine(config.Dir, "error.log"), "-c", main },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "nginx -t did not finish");
        output = stderr.Result + stdout.Result;
        return process.ExitCode == 0;
    }
}
