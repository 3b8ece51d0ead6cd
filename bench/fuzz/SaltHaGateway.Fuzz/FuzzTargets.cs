using System.Net;
using System.Text.Json;
using Prometheus;
using SaltHaGateway.Health;
using SaltHaGateway.Import.Nginx;
using SaltHaGateway.Import.Keepalived;
using SaltHaGateway.Proxy.Sticky;
using SaltHaGateway.Sync.Transport;
using SaltHaGateway.Vrrp;
using SaltHaGateway.Vrrp.Core;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Fuzz;

/// <summary>One fuzz target: feeds the input to a parser the way the product does.</summary>
public delegate void FuzzTarget(ReadOnlySpan<byte> data);

/// <summary>
/// The parsers that read untrusted input, one target each. A target returns normally for every outcome the parser
/// documents for bad input (a reject reason, a diagnostic, the exception it promises); anything else escapes and is
/// a finding: an unexpected exception, a broken invariant (<see cref="FuzzInvariantException"/>), a hang or a crash.
/// Shared by the fuzzer (bench/fuzz) and the corpus replay test, which links this file.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, FuzzTarget> All = new Dictionary<string, FuzzTarget>
    {
        ["vrrp"] = Vrrp,
        ["sync-wire"] = SyncWire,
        ["nginx"] = Nginx,
        ["keepalived"] = Keepalived,
        ["status-line"] = StatusLine,
    };

    // ---- vrrp: raw IPv4 datagrams and IPv6 packets from anyone on the segment ----

    private const int Ipv6HeaderLength = 40;

    /// <summary>
    /// Decodes the datagram as received, then once more with its lengths and checksums repaired so that mutations
    /// get past the checksum into the fields behind it. Every decoded advert goes through the validator. An input that
    /// starts like an IPv6 packet also goes the IPv6 way: an IPv6 raw socket delivers only the VRRP message, with the
    /// hop limit and destination as control data, so the 40-byte header stands for those (and the source).
    /// </summary>
    public static void Vrrp(ReadOnlySpan<byte> data)
    {
        DecodeAndValidate(data);
        if (data.Length >= Ipv4Header.MinimumLength + VrrpPacketCodec.HeaderLength)
        {
            DecodeAndValidate(Repaired(data));
        }
        if (data.Length >= Ipv6HeaderLength && data[0] >> 4 == 6)
        {
            DecodeAndValidate6(data);
            DecodeAndValidate6(Repaired6(data));
        }
    }

    private static void DecodeAndValidate6(ReadOnlySpan<byte> packet)
    {
        var source = new IPAddress(packet.Slice(8, 16));
        var destination = new IPAddress(packet.Slice(24, 16));
        var reason = VrrpPacketCodec.TryDecodeIpv6(packet[Ipv6HeaderLength..], source, destination, packet[7], out var received);
        var v6 = Instance(1, VrrpVersion.V3, unicast: false) with { VirtualAddresses = [new VirtualAddress(IPAddress.Parse("fd99::100"), 64)] };
        if (reason != VrrpRejectReason.None)
        {
            if (received is not null) throw new FuzzInvariantException($"IPv6: rejected ({reason}) but decoded");
            VrrpAdvertisementValidator.Describe(reason, null, v6);
            return;
        }
        if (received is null) throw new FuzzInvariantException("IPv6: accepted but nothing decoded");
        var advert = received.Advertisement;
        if (advert.Version != VrrpVersion.V3) throw new FuzzInvariantException($"IPv6: version {advert.Version} accepted");
        if (advert.Addresses.Any(a => a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6))
            throw new FuzzInvariantException("IPv6: an IPv4 address in the list");
        foreach (var unicast in new[] { false, true })
        {
            var settings = v6 with
            {
                VirtualRouterId = advert.VirtualRouterId,
                IntervalCentiseconds = advert.IntervalCentiseconds,
                VirtualAddresses = advert.Addresses.Take(3).Select(a => new VirtualAddress(a, 64)).ToList(),
                UnicastPeers = unicast ? [received.Ip.Source] : [],
            };
            var check = VrrpAdvertisementValidator.Check(received, settings);
            VrrpAdvertisementValidator.Describe(check, received, settings);
            VrrpAdvertisementValidator.Describe(check, received, v6);
        }
    }

    /// <summary>The packet with next header 112, payload length, address count and the checksum over the IPv6 pseudo-header fixed.</summary>
    private static byte[] Repaired6(ReadOnlySpan<byte> data)
    {
        var d = data.ToArray();
        int length = d.Length - Ipv6HeaderLength;
        d[4] = (byte)(length >> 8);
        d[5] = (byte)length;
        d[6] = VrrpPacketCodec.ProtocolNumber;
        var message = d.AsSpan(Ipv6HeaderLength);
        if (message.Length < VrrpPacketCodec.HeaderLength) return d;
        message[0] = (byte)(0x30 | (message[0] & 0x0F));
        int addresses = (message.Length - VrrpPacketCodec.HeaderLength) / 16;
        if (addresses <= 255) message[3] = (byte)addresses;
        message[6] = message[7] = 0;
        // source(16) destination(16) upper-layer length(4) zero(3) next header(1), then the message
        var summed = new List<byte>(d.AsSpan(8, 32).ToArray());
        summed.AddRange([(byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length, 0, 0, 0, VrrpPacketCodec.ProtocolNumber]);
        summed.AddRange(message.ToArray());
        if (summed.Count % 2 == 1) summed.Add(0);
        uint sum = 0;
        for (int i = 0; i < summed.Count; i += 2) sum += (uint)(summed[i] << 8 | summed[i + 1]);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        message[6] = (byte)(~sum >> 8);
        message[7] = (byte)~sum;
        return d;
    }

    private static void DecodeAndValidate(ReadOnlySpan<byte> datagram)
    {
        var reason = VrrpPacketCodec.TryDecode(datagram, out var received);
        if (reason != VrrpRejectReason.None)
        {
            if (received is not null) throw new FuzzInvariantException($"rejected ({reason}) but decoded");
            VrrpAdvertisementValidator.Describe(reason, null, Instance(1, VrrpVersion.V2, unicast: false));
            return;
        }
        if (received is null) throw new FuzzInvariantException("accepted but nothing decoded");
        var advert = received.Advertisement;
        if (advert.Version == VrrpVersion.V3 && advert.IntervalCentiseconds > 0x0FFF)
            throw new FuzzInvariantException($"v3 interval {advert.IntervalCentiseconds} does not fit 12 bits");
        foreach (var version in new[] { VrrpVersion.V2, VrrpVersion.V3 })
        {
            foreach (var unicast in new[] { false, true })
            {
                var settings = Instance(advert.VirtualRouterId, version, unicast) with
                {
                    IntervalCentiseconds = advert.IntervalCentiseconds,
                    VirtualAddresses = advert.Addresses.Take(3).Select(a => new VirtualAddress(a, 32)).ToList(),
                    UnicastPeers = unicast ? [received.Ip.Source, IPAddress.Loopback] : [],
                };
                var check = VrrpAdvertisementValidator.Check(received, settings);
                VrrpAdvertisementValidator.Describe(check, received, settings);
                VrrpAdvertisementValidator.Describe(check, received, Instance(1, version, unicast));
            }
        }
    }

    private static VrrpInstanceSettings Instance(byte vrid, VrrpVersion version, bool unicast) => new()
    {
        Name = "VI_1",
        Version = version,
        VirtualRouterId = vrid,
        VirtualAddresses = [new VirtualAddress(IPAddress.Parse("10.0.0.100"), 24)],
        AuthType = version == VrrpVersion.V2 ? VrrpAuthType.Password : VrrpAuthType.None,
        AuthData = "secret\0\0"u8.ToArray(),
        UnicastPeers = unicast ? [IPAddress.Parse("10.0.0.2")] : [],
    };

    /// <summary>The datagram with IPv4 version, protocol and total length, the address count and the checksum fixed.</summary>
    private static byte[] Repaired(ReadOnlySpan<byte> data)
    {
        var d = data.ToArray();
        int ihl = (d[0] & 0x0F) * 4;
        if (ihl < Ipv4Header.MinimumLength || ihl + VrrpPacketCodec.HeaderLength > d.Length) ihl = Ipv4Header.MinimumLength;
        d[0] = (byte)(0x40 | ihl / 4);
        d[9] = VrrpPacketCodec.ProtocolNumber;
        d[2] = (byte)(d.Length >> 8);
        d[3] = (byte)d.Length;
        var message = d.AsSpan(ihl);
        bool v2 = (message[0] >> 4) != 3;
        int addresses = (message.Length - VrrpPacketCodec.HeaderLength - (v2 ? VrrpPacketCodec.AuthDataLength : 0)) / 4;
        if (addresses is >= 0 and <= 255) message[3] = (byte)addresses;
        message[6] = message[7] = 0;
        var summed = new List<byte>();
        if (!v2)
        {
            // v3 checksums a pseudo-header: source, destination, zero, protocol, length.
            summed.AddRange(d.AsSpan(12, 8).ToArray());
            summed.AddRange([0, VrrpPacketCodec.ProtocolNumber, (byte)(message.Length >> 8), (byte)message.Length]);
        }
        summed.AddRange(message.ToArray());
        if (summed.Count % 2 == 1) summed.Add(0);
        uint sum = 0;
        for (int i = 0; i < summed.Count; i += 2) sum += (uint)(summed[i] << 8 | summed[i + 1]);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        message[6] = (byte)(~sum >> 8);
        message[7] = (byte)~sum;
        return d;
    }

    // ---- sync-wire: JSON from the config-sync peer and the sticky-binding channel ----

    private static readonly string[] Roots = ["salt", "pillar"];

    /// <summary>
    /// The same bytes as the peer's hello, as a page of changes (each entry through <see cref="WireEntryParser"/>)
    /// and as sticky bindings for <see cref="StickyTables.Apply"/>, each used as the peer link uses it.
    /// Bad input: what the peer link's session loop handles (<see cref="JsonException"/>, <see cref="InvalidDataException"/>),
    /// a parser error string, an <see cref="InvalidDataException"/> from the sticky tables.
    /// </summary>
    public static void SyncWire(ReadOnlySpan<byte> data)
    {
        try
        {
            var hello = WireChecks.Hello(JsonSerializer.Deserialize(data, WireJsonContext.Default.HelloResponse));
            _ = hello.Protocol == SyncProtocol.Version && hello.NodeId == "node-b";
            _ = Roots.Except(hello.Roots).ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidDataException) { }

        try
        {
            var changes = WireChecks.Changes(JsonSerializer.Deserialize(data, WireJsonContext.Default.ChangesResponse));
            if (changes.Entries.Count > 0 && changes.Next < changes.MaxSequence) _ = changes.IndexId.Length;
            foreach (var wire in changes.Entries)
            {
                bool ok = WireEntryParser.TryParse(wire, Roots, out var change, out var error);
                if (ok == (change is null)) throw new FuzzInvariantException($"parse result and change disagree ({error})");
                _ = ok ? change!.Entry.Sequence : wire.Seq;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException) { }

        var tables = new StickyTables(TimeProvider.System, new StickyMetrics(new CollectorRegistry()));
        StickyOptions.TryParse("learn create=$upstream_http_x lookup=$http_x zone=z:64k timeout=10h sync", out var options, out _);
        tables.For("saltapi", options!);
        try
        {
            tables.Apply("peer", data);
        }
        catch (InvalidDataException) { }
    }

    // ---- nginx: the operator's nginx.conf through the importer ----

    /// <summary>
    /// The whole <c>import-nginx</c> path on the input as a file: tokenizer, parser (includes resolve in a private
    /// directory), translator and JSON writer. The importer documents that it never throws on bad input.
    /// </summary>
    public static void Nginx(ReadOnlySpan<byte> data)
    {
        var path = Path.Combine(WorkDirectory("nginx"), "nginx.conf");
        File.WriteAllBytes(path, data.ToArray());
        var result = NginxConfigImporter.Import(path);
        if (result.Succeeded && result.Json.Length > 0)
        {
            using var _ = JsonDocument.Parse(result.Json);
        }
    }

    // ---- keepalived: the operator's keepalived.conf through the importer ----

    /// <summary>The whole <c>import-keepalived</c> command on the input as a file; it answers bad input with exit 1 or 2.</summary>
    public static void Keepalived(ReadOnlySpan<byte> data)
    {
        var path = Path.Combine(WorkDirectory("keepalived"), "keepalived.conf");
        File.WriteAllBytes(path, data.ToArray());
        int exit = KeepalivedImportCommand.Run(path, null, TextWriter.Null, TextWriter.Null, configId: "salt1");
        if (exit is not (0 or 1 or 2)) throw new FuzzInvariantException($"exit code {exit}");
    }

    // ---- status-line: what an upstream answers to an http check ----

    /// <summary>
    /// The check response as the prober reads it: into a 1 KiB buffer, parsed after every byte, then at the end of the
    /// stream. The first decision must be the one the whole buffer gives, and a status has three digits.
    /// </summary>
    public static void StatusLine(ReadOnlySpan<byte> data)
    {
        var buffer = data[..Math.Min(data.Length, 1024)];
        var whole = HttpStatusLine.TryParse(buffer, complete: true, out int wholeStatus);
        if (whole == HttpStatusLine.Parse.NeedMore) throw new FuzzInvariantException("needs more after the end of the stream");
        if (whole == HttpStatusLine.Parse.Ok && wholeStatus is < 0 or > 999) throw new FuzzInvariantException($"status {wholeStatus}");
        for (int filled = 0; filled <= buffer.Length; filled++)
        {
            bool complete = filled == buffer.Length;
            var parse = HttpStatusLine.TryParse(buffer[..filled], complete, out int status);
            if (parse == HttpStatusLine.Parse.NeedMore) continue;
            if (parse != whole || (parse == HttpStatusLine.Parse.Ok && status != wholeStatus))
                throw new FuzzInvariantException($"after {filled} bytes: {parse} {status}, whole buffer: {whole} {wholeStatus}");
            HttpStatusClassesParser.Default.Accepts(status);
            return;
        }
    }

    /// <summary>A private directory per target and process, removed when the process exits normally.</summary>
    private static string WorkDirectory(string target)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"saltha-fuzz-{Environment.ProcessId}-{target}");
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        }
        return dir;
    }
}

/// <summary>A target's own check failed: the parser returned something it must not.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);
