namespace MqttCluster.Core.Configuration;

/// <summary>Applies one option line (whose value is known to be non-empty) to the parse state.</summary>
internal delegate void OptionHandler(ConfigParseState state, ConfigLine line);
