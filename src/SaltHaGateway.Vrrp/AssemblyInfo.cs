namespace SaltHaGateway.Vrrp;
