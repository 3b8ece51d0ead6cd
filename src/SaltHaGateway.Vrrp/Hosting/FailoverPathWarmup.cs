using System.Reflection;
using System.Runtime.CompilerServices;
using SaltHaGateway.Vrrp.Adapters;
using SaltHaGateway.Vrrp.Core;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Hosting;

/// <summary>
/// Compiles the takeover path at start. Otherwise the first failover of a process pays for JIT of the state
/// machine, codec, netlink and GARP code, which on a busy two-core node costs tens of milliseconds exactly when
/// they matter (measured in bench/vrrp).
/// </summary>
internal static class FailoverPathWarmup
{
    private static readonly Type[] Types =
    [
        typeof(VrrpStateMachine), typeof(VrrpInstanceRunner), typeof(VrrpPacketCodec), typeof(InternetChecksum),
        typeof(GratuitousArpFrame), typeof(GratuitousArpSender), typeof(NetlinkAddressEditor), typeof(VrrpRawSocket),
        typeof(VrrpRawSocket6), typeof(NeighbourAdvertisementFrame), typeof(NeighbourAdvertisementSender),
        typeof(VrrpAdvertisementValidator), typeof(VrrpTimers), typeof(EffectivePriority),
    ];

    /// <summary>Under NativeAOT everything is compiled ahead of time and there is nothing to prepare.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075",
        Justification = "Only warms the JIT; not run when compiled ahead of time, and a method the trimmer removed is simply not prepared.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070",
        Justification = "Only warms the JIT; not run when compiled ahead of time, and a method the trimmer removed is simply not prepared.")]
    public static void Run()
    {
        if (!RuntimeFeature.IsDynamicCodeCompiled) return;
        foreach (var type in Types)
        {
            Prepare(type);
            foreach (var nested in type.GetNestedTypes(BindingFlags.NonPublic | BindingFlags.Public))
            {
                Prepare(nested);
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070",
        Justification = "Only warms the JIT; not run when compiled ahead of time, and a method the trimmer removed is simply not prepared.")]
    private static void Prepare(Type type)
    {
        if (type.ContainsGenericParameters)
        {
            return;
        }
        const BindingFlags all = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        foreach (var method in type.GetMethods(all))
        {
            if (!method.IsAbstract && !method.ContainsGenericParameters)
            {
                try
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or TypeLoadException)
                {
                    // Best effort: a method that cannot be prepared is simply compiled on first use.
                }
            }
        }
    }
}
