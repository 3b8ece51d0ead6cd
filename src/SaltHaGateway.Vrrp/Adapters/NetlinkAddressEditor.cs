using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using SaltHaGateway.Vrrp.Core;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>
/// Adds and removes VIPs with rtnetlink (RTM_NEWADDR / RTM_DELADDR), as keepalived does: no process spawn on
/// the failover path. "Already there" (EEXIST) and "already gone" (EADDRNOTAVAIL, ENODEV) count as success.
/// </summary>
internal sealed class NetlinkAddressEditor : IDisposable
{
    private const int AfNetlink = 16;
    private const int NetlinkRoute = 0;
    private const ushort RtmNewAddr = 20;
    private const ushort RtmDelAddr = 21;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmFExcl = 0x200;
    private const ushort NlmFCreate = 0x400;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const int EPERM = 1;
    private const int ENODEV = 19;
    private const int EEXIST = 17;
    private const int EADDRNOTAVAIL = 99;
    private readonly Socket _socket;
    private readonly object _gate = new();
    private uint _sequence;

    public NetlinkAddressEditor()
    {
        int fd = LibC.socket(AfNetlink, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, NetlinkRoute);
        if (fd < 0)
        {
            throw new VrrpStartupException($"cannot open rtnetlink socket: errno {Marshal.GetLastPInvokeError()}");
        }
        _socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true)) { ReceiveTimeout = 2000 };
    }

    public CommandResult Add(VirtualAddress vip, int ifIndex, string device) => Change(RtmNewAddr, vip, ifIndex, device);

    public CommandResult Remove(VirtualAddress vip, int ifIndex, string device) => Change(RtmDelAddr, vip, ifIndex, device);

    private CommandResult Change(ushort type, VirtualAddress vip, int ifIndex, string device)
    {
        string what = $"{(type == RtmNewAddr ? "add" : "delete")} {vip} on {device}";
        lock (_gate)
        {
            uint seq = ++_sequence;
            var msg = new byte[40];
            var s = msg.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)msg.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(s[4..], type);
            ushort flags = (ushort)(NlmFRequest | NlmFAck | (type == RtmNewAddr ? NlmFCreate | NlmFExcl : 0));
            BinaryPrimitives.WriteUInt16LittleEndian(s[6..], flags);
            BinaryPrimitives.WriteUInt32LittleEndian(s[8..], seq);
            // ifaddrmsg: family, prefixlen, flags, scope (universe), ifindex
            s[16] = (byte)AddressFamily.InterNetwork;
            s[17] = (byte)vip.PrefixLength;
            BinaryPrimitives.WriteInt32LittleEndian(s[20..], ifIndex);
            WriteAttribute(s[24..], IfaLocal, vip);
            WriteAttribute(s[32..], IfaAddress, vip);
            try
            {
                _socket.Send(msg);
                return WaitForAck(seq, what);
            }
            catch (SocketException e)
            {
                return new CommandResult(false, $"{what}: {e.Message}");
            }
        }
    }

    private CommandResult WaitForAck(uint seq, string what)
    {
        var buffer = new byte[8192];
        while (true)
        {
            int n = _socket.Receive(buffer);
            int offset = 0;
            while (offset + 16 <= n)
            {
                var h = buffer.AsSpan(offset);
                int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(h);
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(h[4..]);
                uint msgSeq = BinaryPrimitives.ReadUInt32LittleEndian(h[8..]);
                if (type == NlmsgError && msgSeq == seq && len >= 20)
                {
                    int error = -BinaryPrimitives.ReadInt32LittleEndian(h[16..]);
                    return error switch
                    {
                        0 or EEXIST or EADDRNOTAVAIL or ENODEV => new CommandResult(true, what),
                        EPERM => new CommandResult(false, $"{what}: operation not permitted (needs CAP_NET_ADMIN)"),
                        _ => new CommandResult(false, $"{what}: errno {error}"),
                    };
                }
                if (len < 16)
                {
                    break;
                }
                offset += (len + 3) & ~3;
            }
        }
    }

    private static void WriteAttribute(Span<byte> s, ushort type, VirtualAddress vip)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(s, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], type);
        vip.Address.TryWriteBytes(s.Slice(4, 4), out _);
    }

    public void Dispose() => _socket.Dispose();
}

internal readonly record struct CommandResult(bool Success, string Description);
