using MqttCluster.Gateway.Transport;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Whether a client still takes part in its connection: it sends a packet within one and a half keep-alive periods
/// [MQTT-3.1.2-22], and takes the packets written to it within Mqtt:SlowConsumerTimeout. Packets are noted from the
/// read loop, the verdict is asked by the <see cref="KeepAliveSweep"/>.
/// </summary>
internal sealed class ClientLiveness(TimeProvider clock, MqttPacketSender sender, TimeSpan slowConsumerTimeout)
{
    private long _lastPacket = clock.GetTimestamp();

    public void PacketReceived() => Volatile.Write(ref _lastPacket, clock.GetTimestamp());

    /// <summary>Why the client counts as gone (<see cref="Unresponsiveness.None"/>: it does not).</summary>
    public Unresponsiveness Check(ushort keepAliveSeconds)
    {
        if (keepAliveSeconds > 0 && clock.GetElapsedTime(Volatile.Read(ref _lastPacket)) > TimeSpan.FromSeconds(keepAliveSeconds * 1.5))
        {
            return Unresponsiveness.Silent;
        }

        return sender.StalledFor > slowConsumerTimeout ? Unresponsiveness.SlowConsumer : Unresponsiveness.None;
    }
}

/// <summary>Why a client counts as gone.</summary>
internal enum Unresponsiveness
{
    None,

    /// <summary>No packet within one and a half keep-alive periods.</summary>
    Silent,

    /// <summary>Took none of its waiting packets for Mqtt:SlowConsumerTimeout.</summary>
    SlowConsumer,
}
