using MqttCluster.Gateway.Transport;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Whether a client still takes part in its connection: it sends a packet within one and a half keep-alive periods
/// [MQTT-3.1.2-22], and takes the packets written to it within Mqtt:SlowConsumerTimeout. Packets are noted from the
/// read loop, the verdict and the time of the next check are asked by the <see cref="KeepAliveSweep"/>.
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

    /// <summary>
    /// How long from now until the client can first count as gone, if nothing changes: its keep-alive limit, or the
    /// moment its writer's stall reaches the slow-consumer timeout. A stall that starts after this check is not seen
    /// until the next, so the next check is never further away than one slow-consumer timeout: a client that stops
    /// reading is closed between one and two timeouts after it stopped.
    /// </summary>
    public TimeSpan UntilNextCheck(ushort keepAliveSeconds)
    {
        var next = slowConsumerTimeout - sender.StalledFor;
        if (keepAliveSeconds > 0)
        {
            var silentAt = TimeSpan.FromSeconds(keepAliveSeconds * 1.5) - clock.GetElapsedTime(Volatile.Read(ref _lastPacket));
            next = silentAt < next ? silentAt : next;
        }

        return next > TimeSpan.Zero ? next : TimeSpan.Zero;
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
