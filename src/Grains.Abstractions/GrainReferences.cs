using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace MqttCluster.Grains;

/// <summary>
/// References to string-keyed grains without Orleans resolving the grain interface on every call.
/// <c>IGrainFactory.GetGrain&lt;T&gt;(string)</c> works out the interface's <see cref="GrainInterfaceType"/> and
/// <see cref="GrainType"/> from <typeparamref name="TGrain"/> each time, by reflection over its attributes: 5 % of
/// the broker's CPU at 1→1 QoS 1 (one reference per publish batch to a topic grain) and about 9 % of a CONNECT's (the
/// session grain and the gateway's sessions registry). The first reference of an interface from a factory is made
/// the usual way and its two types are kept; the next ones are built from them. The grain type of an interface does
/// not change while a process runs (one implementation per interface here), and a failed resolution keeps nothing.
/// </summary>
public static class GrainReferences
{
    /// <summary>The grain of interface <typeparamref name="TGrain"/> with key <paramref name="key"/>.</summary>
    public static TGrain Get<TGrain>(IGrainFactory factory, string key)
        where TGrain : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (Resolved<TGrain>.ByFactory.TryGetValue(factory, out var types))
        {
            return (TGrain)factory.GetGrain(GrainId.Create(types.GrainType, key), types.InterfaceType);
        }

        var grain = factory.GetGrain<TGrain>(key);
        var reference = (GrainReference)(object)grain;
        Resolved<TGrain>.ByFactory.AddOrUpdate(factory, new ResolvedTypes(reference.GrainId.Type, reference.InterfaceType));
        return grain;
    }

    /// <summary>
    /// The same, kept for the life of <paramref name="factory"/>: for the few long-lived grains addressed over and
    /// over from many places, such as a gateway's sessions registry (once per CONNECT). A reference whose interface
    /// has methods with copied arguments builds a copier for each when it is made (through
    /// <c>ActivatorUtilities</c>), so making a new one per call costs more than looking one up. Not for keys without
    /// bound (topics, client ids): nothing kept here is ever released before the factory.
    /// </summary>
    public static TGrain GetKept<TGrain>(IGrainFactory factory, string key)
        where TGrain : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(factory);
        var kept = Kept<TGrain>.ByFactory.GetValue(factory, _ => new ConcurrentDictionary<string, TGrain>(StringComparer.Ordinal));
        return kept.TryGetValue(key, out var grain) ? grain : kept.GetOrAdd(key, Get<TGrain>(factory, key));
    }

    private sealed record ResolvedTypes(GrainType GrainType, GrainInterfaceType InterfaceType);

    // Per factory: every silo of an in-process test cluster has its own, and its own type map.
    private static class Resolved<TGrain>
    {
        public static readonly ConditionalWeakTable<IGrainFactory, ResolvedTypes> ByFactory = new();
    }

    private static class Kept<TGrain>
    {
        public static readonly ConditionalWeakTable<IGrainFactory, ConcurrentDictionary<string, TGrain>> ByFactory = new();
    }
}
