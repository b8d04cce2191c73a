namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>An MQTT 3.1.1 bridge from a mosquitto.conf connection block (try_private for loop prevention).</summary>
public sealed class Mqtt311BridgeTests(MosquittoConfBridgeFixture broker)
    : BridgeDirectionTests<MosquittoConfBridgeFixture>(broker), IClassFixture<MosquittoConfBridgeFixture>;
