namespace MqttCluster.Core.Configuration;

/// <summary>Every option name Mosquitto 2 knows, mapped to what this parser does with it.</summary>
internal static class OptionCatalog
{
    private static readonly Dictionary<string, OptionHandler> Handlers = Build();

    /// <summary>The handler for <paramref name="name"/>, or null when Mosquitto does not know the option.</summary>
    public static OptionHandler? Find(string name) =>
        Handlers.TryGetValue(name, out var handler) ? handler
        : UnsupportedOptions.IsPluginOption(name) ? PluginOptions.PluginOption
        : null;

    /// <summary>A known option spelled with other letter case, to suggest it (Mosquitto names are case-sensitive).</summary>
    public static string? SuggestionFor(string name) =>
        Handlers.Keys.FirstOrDefault(known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase));

    private static Dictionary<string, OptionHandler> Build()
    {
        var table = new Dictionary<string, OptionHandler>(StringComparer.Ordinal);
        GeneralOptions.Register(table);
        ListenerOptions.Register(table);
        LoggingOptions.Register(table);
        UnsupportedOptions.Register(table);
        PluginOptions.Register(table);
        BridgeSectionOptions.Register(table);
        return table;
    }
}
