using CsCheck;
using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Tests;

/// <summary>
/// Generators over a tiny alphabet of levels so that matches, empty levels and '$' topics are frequent.
/// </summary>
internal static class TopicGen
{
    /// <summary>Topic levels: literals, a reserved-looking one and the empty level.</summary>
    public static readonly Gen<string> TopicLevel = Gen.OneOfConst("a", "b", "$x", "");

    /// <summary>Valid topic names of 1–4 levels.</summary>
    public static readonly Gen<string> Topic =
        TopicLevel.Array[1, 4].Select(levels => string.Join('/', levels)).Where(TopicName.IsValid);

    /// <summary>Valid plain filters: up to 4 levels with '+' anywhere and '#' only as the last level.</summary>
    public static readonly Gen<string> Filter =
        Gen.Select(Gen.OneOfConst("a", "b", "$x", "", "+").Array[0, 3], Gen.OneOfConst("a", "b", "$x", "", "+", "#"))
            .Select((levels, last) => string.Join('/', levels.Append(last)))
            .Where(TopicFilter.IsValid);

    /// <summary>Subscriptions with repeats, so duplicate adds and overlapping filters occur.</summary>
    public static readonly Gen<List<(string Filter, int Value)>> Subscriptions =
        Gen.Select(Filter, Gen.Int[0, 3]).List[0, 30];
}
