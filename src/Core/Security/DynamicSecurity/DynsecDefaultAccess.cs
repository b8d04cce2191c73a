namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>What applies when no ACL of a client's roles matches (the plugin's <c>defaultACLAccess</c>).</summary>
public sealed record DynsecDefaultAccess(bool PublishClientSend = false, bool PublishClientReceive = true, bool Subscribe = false, bool Unsubscribe = true)
{
    public static DynsecDefaultAccess Mosquitto { get; } = new();

    /// <summary>The value for <paramref name="aclType"/>, or null for a name that is not one of the four.</summary>
    public bool? Get(string aclType) => aclType switch
    {
        DynsecAclTypes.PublishClientSend => PublishClientSend,
        DynsecAclTypes.PublishClientReceive => PublishClientReceive,
        DynsecAclTypes.Subscribe => Subscribe,
        DynsecAclTypes.Unsubscribe => Unsubscribe,
        _ => null,
    };

    public DynsecDefaultAccess? With(string aclType, bool allow) => aclType switch
    {
        DynsecAclTypes.PublishClientSend => this with { PublishClientSend = allow },
        DynsecAclTypes.PublishClientReceive => this with { PublishClientReceive = allow },
        DynsecAclTypes.Subscribe => this with { Subscribe = allow },
        DynsecAclTypes.Unsubscribe => this with { Unsubscribe = allow },
        _ => null,
    };
}
