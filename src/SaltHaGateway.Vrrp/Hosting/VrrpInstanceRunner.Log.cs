using Microsoft.Extensions.Logging;

namespace SaltHaGateway.Vrrp.Hosting;

internal sealed partial class VrrpInstanceRunner
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "VRRP {Instance}: {From} -> {To} (priority {Priority})")]
        public static partial void Transition(ILogger logger, string instance, string from, string to, int priority);

        [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "VRRP {Instance}: rejected advert from {Source}: {Reason} ({Detail}); further '{Reason}' rejections are only counted")]
        public static partial void Rejected(ILogger logger, string instance, string source, string reason, string detail);

        [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "VRRP {Instance}: sending advert to {Destination} failed: {Error}")]
        public static partial void SendFailed(ILogger logger, string instance, string destination, string error);

        [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "VRRP {Instance}: {Command}")]
        public static partial void AddressCommandFailed(ILogger logger, string instance, string command);

        [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "VRRP {Instance}: started on {Interface} as {Address}, VRID {Vrid}, v{Version}, {Mode}")]
        public static partial void Started(ILogger logger, string instance, string @interface, string address, int vrid, int version, string mode);

        [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "VRRP {Instance}: tracking changed, priority {Priority}, fault {Faulted} ({Detail})")]
        public static partial void Tracking(ILogger logger, string instance, int priority, bool faulted, string detail);

        [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "VRRP {Instance}: notify '{Command}' exited with {ExitCode}")]
        public static partial void NotifyFailed(ILogger logger, string instance, string command, int exitCode);

        [LoggerMessage(EventId = 5008, Level = LogLevel.Error, Message = "VRRP {Instance}: background action failed")]
        public static partial void ActionFailed(ILogger logger, Exception exception, string instance);

        [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "VRRP {Instance}: {Source} resigned (priority 0 advert)")]
        public static partial void PeerResigned(ILogger logger, string instance, string source);

        [LoggerMessage(EventId = 5011, Level = LogLevel.Information, Message = "VRRP {Instance}: handed over to {Peer}; VIPs released {Milliseconds:F0} ms after resigning")]
        public static partial void HandedOver(ILogger logger, string instance, string peer, double milliseconds);

        [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "VRRP {Instance}: maintenance {State}, priority {Priority}")]
        public static partial void Maintenance(ILogger logger, string instance, string state, int priority);

        [LoggerMessage(EventId = 5015, Level = LogLevel.Information, Message = "VRRP {Instance}: vmac {Vmac} ({Mac}) carries the VIPs; adverts on {AdvertInterface}")]
        public static partial void VmacCreated(ILogger logger, string instance, string vmac, string mac, string advertInterface);

        [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "VRRP {Instance}: peer {Source} uses the pre-1.3.7 VRRPv3 unicast checksum form")]
        public static partial void LegacyChecksum(ILogger logger, string instance, string source);
    }
}
