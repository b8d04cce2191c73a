namespace MqttCluster.Core.Configuration;

/// <summary>
/// One <c>topic pattern [[[out|in|both] qos] local-prefix remote-prefix]</c> line of a bridge. The place marker
/// <c>""</c> is read as an empty string.
/// </summary>
/// <param name="Pattern">The topic filter shared by both brokers; "" when the line maps one topic by its prefixes.</param>
/// <param name="Direction"><c>out</c> (the default), <c>in</c> or <c>both</c>, lower case.</param>
/// <param name="Qos">0 (the default), 1 or 2.</param>
/// <param name="LocalPrefix">Prefix of the topic on this broker; "" for none.</param>
/// <param name="RemotePrefix">Prefix of the topic on the remote broker; "" for none.</param>
/// <param name="Line">The line it was written on.</param>
public sealed record MosquittoBridgeTopic(string Pattern, string Direction, int Qos, string LocalPrefix, string RemotePrefix, int Line);
