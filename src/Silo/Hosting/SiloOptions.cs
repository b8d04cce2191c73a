namespace MqttCluster.Silo.Hosting;

/// <summary>The Orleans side of a broker node. Bound from the <c>Silo</c> configuration section.</summary>
public sealed class SiloOptions
{
    public const string Section = "Silo";

    /// <summary>Port for silo-to-silo traffic (loopback in single-node mode).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port for standalone gateways (Orleans clients); 0 = none, the single node needs none.</summary>
    public int GatewayPort { get; set; }

    /// <summary>Where retained messages (and later persistent sessions) are kept; relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Hand memory back to the operating system when the node goes quiet after load (<see cref="QuietMemoryTrim"/>):
    /// RSS returns near idle after connections close. Off only to measure without it.
    /// </summary>
    public bool TrimMemoryWhenQuiet { get; set; } = true;
}
