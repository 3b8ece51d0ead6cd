namespace SaltHaGateway.Vrrp.Core;

/// <summary>Instance states; the numeric values are those of the saltha_vrrp_state metric.</summary>
public enum VrrpState
{
    Initialize = 0,
    Backup = 1,
    Master = 2,
    Fault = 3,
}
