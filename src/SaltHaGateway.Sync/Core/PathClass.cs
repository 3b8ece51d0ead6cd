namespace SaltHaGateway.Sync.Core;

/// <summary>Classes of synced paths; conflict policy and hooks are chosen per class.</summary>
public enum PathClass
{
    /// <summary>master.pem, master.pub, master_sign*: never resolved automatically.</summary>
    MasterKey,
    /// <summary>pki/master/minions*/&lt;id&gt;: a minion id must not end up with two keys.</summary>
    MinionKey,
    /// <summary>/etc/salt/master and master.d: newest edit wins; salt-master needs a restart.</summary>
    MasterConfig,
    /// <summary>Everything else (/srv/salt, /srv/pillar, …): newest edit wins.</summary>
    Tree,
}
