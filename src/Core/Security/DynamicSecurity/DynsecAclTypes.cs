namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>The ACL types of Mosquitto's dynamic-security plugin, spelled as on the wire.</summary>
public static class DynsecAclTypes
{
    public const string PublishClientSend = "publishClientSend";
    public const string PublishClientReceive = "publishClientReceive";
    public const string SubscribeLiteral = "subscribeLiteral";
    public const string SubscribePattern = "subscribePattern";
    public const string UnsubscribeLiteral = "unsubscribeLiteral";
    public const string UnsubscribePattern = "unsubscribePattern";

    /// <summary>The names in default ACL access (subscribe and unsubscribe without literal/pattern).</summary>
    public const string Subscribe = "subscribe";
    public const string Unsubscribe = "unsubscribe";

    public static bool IsValid(string type) => type is PublishClientSend or PublishClientReceive or SubscribeLiteral
        or SubscribePattern or UnsubscribeLiteral or UnsubscribePattern;
}
