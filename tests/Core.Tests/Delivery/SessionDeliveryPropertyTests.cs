using CsCheck;
using Microsoft.Extensions.Time.Testing;
using MqttCluster.Core.Delivery;

namespace MqttCluster.Core.Tests.Delivery;

/// <summary>
/// Random interleavings of live and rescued copies (each message offered any number of times), acknowledgements,
/// SUBSCRIBE holds and time, within one ledger horizon: each message reaches the client once, nothing is lost
/// without being handed back, a topic keeps its order and the window is never exceeded.
/// </summary>
public sealed class SessionDeliveryPropertyTests
{
    private const int MessageCount = 30;

    private static readonly Gen<(int Kind, int Message, int Value)[]> Operations =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, MessageCount - 1], Gen.Int[0, 99]).Array[1, 200];

    [Fact]
    public void Every_message_goes_out_once_in_topic_order_or_is_handed_back()
    {
        Gen.Select(Operations, Gen.Int[1, 3], Gen.Int[0, int.MaxValue]).Sample((operations, window, seed) =>
        {
            var random = new Random(seed);
            var messages = Enumerable.Range(0, MessageCount)
                .Select(_ => new TestDelivery(Guid.NewGuid(), $"t{random.Next(3)}", (byte)random.Next(3)))
                .ToArray();
            var time = new FakeTimeProvider();
            var output = new RecordingOutput();
            var session = new SessionDelivery<TestDelivery>(window, 1_000, SubscriberFlowControl.Off, output, time);
            session.Open();
            session.Resume([], [], moved: true);
            var firstOffers = new List<TestDelivery>();

            foreach (var (kind, index, value) in operations)
            {
                var message = messages[index];
                switch (kind)
                {
                    case 0 or 1:
                        session.Offer(message, DeliveryOrigin.Live);
                        Remember(firstOffers, message);
                        break;
                    case 2:
                        session.Offer(message, DeliveryOrigin.Rescued);
                        Remember(firstOffers, message);
                        break;
                    case 3:
                        Acknowledge(session, output, value);
                        break;
                    case 4:
                        if (value < 50)
                        {
                            session.Hold();
                        }
                        else
                        {
                            session.SendRetainedThenHeld([]);
                        }

                        break;
                    default:
                        // At most 200 × 99 ms: within one horizon, so every copy must be recognised.
                        time.Advance(TimeSpan.FromMilliseconds(value));
                        break;
                }

                Assert.True(session.InflightCount <= window, "the in-flight window was exceeded");
            }

            var (inflight, pending) = session.Drain();
            var sent = output.Publishes.Where(p => !p.Duplicate).Select(p => p.Delivery!).ToList();

            Assert.Equal(sent.Count, sent.Select(d => d.MessageId).Distinct().Count());
            Assert.Empty(output.Drops);
            Assert.All(inflight, entry => Assert.Contains(entry.Delivery, sent));
            Assert.Equal(
                firstOffers.Select(d => d.MessageId).Order(),
                sent.Concat(pending).Select(d => d.MessageId).Order());
            foreach (var topic in messages.Select(m => m.Topic).Distinct())
            {
                Assert.Equal(
                    firstOffers.Where(d => d.Topic == topic && sent.Contains(d)),
                    sent.Where(d => d.Topic == topic));
            }
        });
    }

    private static void Remember(List<TestDelivery> firstOffers, TestDelivery message)
    {
        if (!firstOffers.Contains(message))
        {
            firstOffers.Add(message);
        }
    }

    /// <summary>Acknowledges one of the messages in flight: PUBACK, PUBREC or PUBCOMP as its flow stands.</summary>
    private static void Acknowledge(SessionDelivery<TestDelivery> session, RecordingOutput output, int value)
    {
        var inflight = output.Publishes
            .Select(p => p.PacketId)
            .Distinct()
            .Select(session.Inflight)
            .OfType<InflightEntry<TestDelivery>>()
            .ToList();
        if (inflight.Count == 0)
        {
            return;
        }

        var entry = inflight[value % inflight.Count];
        if (entry.QualityOfService == 1)
        {
            Assert.True(session.OnPubAck(entry.PacketId));
        }
        else if (entry.Released)
        {
            Assert.True(session.OnPubComp(entry.PacketId));
        }
        else
        {
            Assert.True(session.OnPubRec(entry.PacketId, refused: false));
        }
    }
}
