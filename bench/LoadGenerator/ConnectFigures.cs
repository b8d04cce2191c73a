namespace MqttCluster.LoadGenerator;

/// <summary>How connecting went: clients, seconds for all of them, p99 of one connect in µs.</summary>
public readonly record struct ConnectFigures(int Connections, double Seconds, long P99Us);
