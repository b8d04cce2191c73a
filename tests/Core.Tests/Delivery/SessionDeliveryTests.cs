using Microsoft.Extensions.Time.Testing;
using MqttCluster.Core.Delivery;

namespace MqttCluster.Core.Tests.Delivery;

public sealed class SessionDeliveryTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingOutput _output = new();

    private SessionDelivery<TestDelivery> Create(int window = 2, int maxQueued = 3, SubscriberFlowControl? flowControl = null)
    {
        var delivery = new SessionDelivery<TestDelivery>(window, maxQueued, flowControl ?? SubscriberFlowControl.Off, _output, _time);
        delivery.Open();
        delivery.Resume([], [], moved: false);
        return delivery;
    }

    [Fact]
    public void QoS1_beyond_the_window_waits_for_an_acknowledgement()
    {
        var session = Create(window: 2);
        var messages = Enumerable.Range(0, 3).Select(_ => TestDelivery.Qos(1)).ToList();

        Assert.All(messages, m => Assert.Equal(OfferOutcome.Accepted, session.Offer(m, DeliveryOrigin.Live)));

        Assert.Equal([1, 2], _output.Publishes.Select(p => (int)p.PacketId));
        Assert.Equal(1, session.QueuedCount);
        Assert.True(session.OnPubAck(1));
        Assert.Equal(messages, _output.Publishes.Select(p => p.Delivery));
        Assert.Equal(2, session.InflightCount);
    }

    [Fact]
    public void Live_messages_beyond_the_queue_limit_are_dropped_and_counted_but_stored_ones_are_not()
    {
        var session = Create(window: 1, maxQueued: 1);
        session.Offer(TestDelivery.Qos(1), DeliveryOrigin.Live);
        session.Offer(TestDelivery.Qos(1), DeliveryOrigin.Live);

        Assert.Equal(OfferOutcome.Dropped, session.Offer(TestDelivery.Qos(1), DeliveryOrigin.Live));
        Assert.Equal(OfferOutcome.Accepted, session.Offer(TestDelivery.Qos(1), DeliveryOrigin.Stored));
        Assert.Equal(["queue_full"], _output.Drops);
        Assert.Equal(2, session.QueuedCount);
    }

    [Fact]
    public void QoS0_waits_behind_queued_messages_of_its_topic_only()
    {
        var session = Create(window: 1);
        var first = TestDelivery.Qos(1, "a");
        var queued = TestDelivery.Qos(1, "a");
        var sameTopic = TestDelivery.Qos(0, "a");
        var otherTopic = TestDelivery.Qos(0, "b");
        foreach (var message in new[] { first, queued, sameTopic, otherTopic })
        {
            session.Offer(message, DeliveryOrigin.Live);
        }

        Assert.Equal([first, otherTopic], _output.Publishes.Select(p => p.Delivery));
        session.OnPubAck(1);
        Assert.Equal([first, otherTopic, queued, sameTopic], _output.Publishes.Select(p => p.Delivery));
    }

    [Fact]
    public void QoS0_is_dropped_when_the_socket_holds_the_queue_limit()
    {
        var session = Create(maxQueued: 3);
        _output.UnsentCount = 3;

        Assert.Equal(OfferOutcome.Dropped, session.Offer(TestDelivery.Qos(0), DeliveryOrigin.Live));
        Assert.Equal(OfferOutcome.Accepted, session.Offer(TestDelivery.Qos(0), DeliveryOrigin.Retained));
        Assert.Equal(["queue_full"], _output.Drops);
    }

    [Fact]
    public void A_refused_or_expired_message_is_not_sent()
    {
        var session = Create(window: 1);
        var refused = TestDelivery.Qos(1);
        _output.Refused.Add(refused.MessageId);
        var expires = TestDelivery.Qos(1);
        _output.ExpireWhileQueued.Add(expires.MessageId);

        Assert.Equal(OfferOutcome.Dropped, session.Offer(refused, DeliveryOrigin.Live));
        session.Offer(TestDelivery.Qos(1), DeliveryOrigin.Live);
        session.Offer(expires, DeliveryOrigin.Live);
        session.OnPubAck(1);

        Assert.Single(_output.Publishes);
        Assert.Equal(["refused", "expired"], _output.Drops);
        Assert.Equal(0, session.InflightCount);
    }

    [Fact]
    public void QoS2_completes_after_PUBREC_then_PUBCOMP_and_a_refused_PUBREC_ends_the_flow()
    {
        var session = Create(window: 1);
        session.Offer(TestDelivery.Qos(2), DeliveryOrigin.Live);
        var next = TestDelivery.Qos(2);
        session.Offer(next, DeliveryOrigin.Live);

        Assert.False(session.OnPubComp(1));
        Assert.True(session.OnPubRec(1, refused: false));
        Assert.True(session.Inflight(1)!.Released);
        Assert.True(session.OnPubComp(1));
        Assert.Equal(next, _output.Publishes.Last().Delivery);
        Assert.True(session.OnPubRec(2, refused: true));
        Assert.Equal(0, session.InflightCount);
        Assert.False(session.OnPubAck(2));
    }

    [Fact]
    public void Held_live_messages_follow_the_retained_ones_and_a_retained_copy_of_a_held_message_is_sent_live_only()
    {
        var session = Create(window: 10);
        session.Hold();
        var both = TestDelivery.Qos(1, "r");
        var live = TestDelivery.Qos(1, "l");
        Assert.Equal(OfferOutcome.Held, session.Offer(both, DeliveryOrigin.Live));
        Assert.Equal(OfferOutcome.Held, session.Offer(live, DeliveryOrigin.Live));
        Assert.Empty(_output.Publishes);

        var retainedOnly = TestDelivery.Qos(1, "r2");
        session.SendRetainedThenHeld([both with { }, retainedOnly]);

        Assert.Equal([retainedOnly, both, live], _output.Publishes.Select(p => p.Delivery));
    }

    [Fact]
    public void Each_subscription_gets_the_retained_messages_again()
    {
        var session = Create(window: 10);
        var message = TestDelivery.Qos(1);
        session.Hold();
        session.SendRetainedThenHeld([message]);
        session.Hold();
        session.SendRetainedThenHeld([message]);

        Assert.Equal(2, _output.Publishes.Count());
    }

    [Fact]
    public void The_live_copy_of_a_message_sent_as_retained_is_not_sent_again()
    {
        var session = Create(window: 10);
        var message = TestDelivery.Qos(1);
        session.Hold();
        session.SendRetainedThenHeld([message]);

        Assert.Equal(OfferOutcome.Duplicate, session.Offer(message, DeliveryOrigin.Live));
        Assert.Single(_output.Publishes);
    }

    [Fact]
    public void Resume_resends_in_flight_messages_with_their_ids_then_the_queue_then_held_live_messages_each_once()
    {
        var session = new SessionDelivery<TestDelivery>(2, 10, SubscriberFlowControl.Off, _output, _time);
        session.Open();
        var unacked = TestDelivery.Qos(1);
        var released = TestDelivery.Qos(2);
        var secondUnacked = TestDelivery.Qos(1);
        var queued = TestDelivery.Qos(1);
        var live = TestDelivery.Qos(1);
        session.Offer(live, DeliveryOrigin.Live);
        session.Offer(unacked, DeliveryOrigin.Live);

        session.Resume([(7, unacked, false), (9, released, true), (3, secondUnacked, false)], [queued, unacked], moved: true);

        Assert.Equal(
            [("PUBREL", 9, (TestDelivery?)null, false), ("PUBLISH", 7, unacked, true)],
            _output.Sent.Take(2).Select(p => (p.Kind, (int)p.PacketId, p.Delivery, p.Duplicate)));
        Assert.Equal(2, _output.Sent.Count);
        session.OnPubAck(7);
        Assert.Equal(("PUBLISH", 3, true), (_output.Sent[2].Kind, (int)_output.Sent[2].PacketId, _output.Sent[2].Duplicate));
        session.OnPubComp(9);
        session.OnPubAck(3);
        Assert.Equal([unacked, secondUnacked, queued, live], _output.Publishes.Select(p => p.Delivery));
    }

    [Fact]
    public void A_rescued_copy_and_a_live_copy_go_out_once_in_either_order_within_the_horizon()
    {
        var session = Create(window: 10);
        var rescuedFirst = TestDelivery.Qos(2);
        var liveFirst = TestDelivery.Qos(2);

        session.Offer(rescuedFirst, DeliveryOrigin.Rescued);
        Assert.Equal(OfferOutcome.Duplicate, session.Offer(rescuedFirst, DeliveryOrigin.Live));
        session.Offer(liveFirst, DeliveryOrigin.Live);
        Assert.Equal(OfferOutcome.Duplicate, session.Offer(liveFirst, DeliveryOrigin.Rescued));

        Assert.Equal([rescuedFirst, liveFirst], _output.Publishes.Select(p => p.Delivery));
    }

    [Fact]
    public void Shared_subscription_messages_bypass_the_ledger()
    {
        var session = Create(window: 10);
        var shared = TestDelivery.Qos(1) with { IsShared = true };
        session.Offer(shared, DeliveryOrigin.Rescued);

        Assert.Equal(OfferOutcome.Accepted, session.Offer(shared, DeliveryOrigin.Live));
    }

    [Fact]
    public void Drain_hands_back_in_flight_in_send_order_then_queued_and_held_and_closes()
    {
        var session = Create(window: 2);
        var sent = Enumerable.Range(0, 3).Select(_ => TestDelivery.Qos(1)).ToList();
        sent.ForEach(m => session.Offer(m, DeliveryOrigin.Live));
        session.OnPubAck(1);
        session.Hold();
        var held = TestDelivery.Qos(1);
        session.Offer(held, DeliveryOrigin.Live);

        var (inflight, pending) = session.Drain();

        Assert.Equal([sent[1], sent[2]], inflight.Select(e => e.Delivery));
        Assert.Equal([held], pending);
        Assert.False(session.IsOpen);
        Assert.Equal(OfferOutcome.Closed, session.Offer(TestDelivery.Qos(1), DeliveryOrigin.Live));
    }

    [Fact]
    public async Task Push_back_holds_publishers_while_the_queue_is_at_the_mark_and_releases_them_below_it()
    {
        var flowControl = new SubscriberFlowControl(2, TimeSpan.FromSeconds(1), _time);
        var session = Create(window: 1, maxQueued: 2, flowControl);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(OfferOutcome.Accepted, session.Offer(TestDelivery.Qos(1), DeliveryOrigin.Live));
        }

        Assert.True(session.IsCongested);
        var relieved = session.WhenRelieved();
        Assert.False(relieved.IsCompleted);
        session.OnPubAck(1);
        session.OnPubAck(2);

        // The fake clock never reaches the give-up delay: only the relief can complete the wait.
        await relieved.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(_output.Drops);
    }
}
