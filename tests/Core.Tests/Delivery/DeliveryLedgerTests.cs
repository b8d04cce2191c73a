using Microsoft.Extensions.Time.Testing;
using MqttCluster.Core.Delivery;

namespace MqttCluster.Core.Tests.Delivery;

public sealed class DeliveryLedgerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void In_steady_state_live_messages_are_not_recorded()
    {
        var ledger = new DeliveryLedger(_time);
        var id = Guid.NewGuid();

        Assert.True(ledger.RecordLive(id));
        Assert.True(ledger.RecordLive(id));
        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public void An_out_of_band_message_opens_the_horizon_in_which_every_copy_is_recognised()
    {
        var ledger = new DeliveryLedger(_time);
        var rescued = Guid.NewGuid();
        var live = Guid.NewGuid();

        Assert.True(ledger.RecordOutOfBand(rescued));
        Assert.False(ledger.RecordLive(rescued));
        Assert.True(ledger.RecordLive(live));
        Assert.False(ledger.RecordOutOfBand(live));
        Assert.True(ledger.Contains(live));
    }

    [Fact]
    public void Past_the_horizon_the_ledger_forgets_everything()
    {
        var ledger = new DeliveryLedger(_time);
        var id = Guid.NewGuid();
        ledger.RecordOutOfBand(id);

        _time.Advance(DeliveryLedger.Horizon);

        Assert.False(ledger.Contains(id));
        Assert.Equal(0, ledger.Count);
        Assert.True(ledger.RecordLive(id));
        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public void A_new_out_of_band_message_extends_the_horizon()
    {
        var ledger = new DeliveryLedger(_time);
        var first = Guid.NewGuid();
        ledger.RecordOutOfBand(first);
        _time.Advance(DeliveryLedger.Horizon / 2);
        ledger.RecordOutOfBand(Guid.NewGuid());
        _time.Advance(DeliveryLedger.Horizon * 0.75);

        Assert.True(ledger.Contains(first));
    }

    [Fact]
    public void Beyond_its_capacity_the_ledger_forgets_the_oldest_and_counts_it()
    {
        var ledger = new DeliveryLedger(_time);
        var first = Guid.NewGuid();
        ledger.RecordOutOfBand(first);
        for (var i = 0; i < DeliveryLedger.Capacity; i++)
        {
            ledger.RecordLive(Guid.NewGuid());
        }

        Assert.False(ledger.Contains(first));
        Assert.Equal(DeliveryLedger.Capacity, ledger.Count);
        Assert.Equal(1, ledger.ForgottenEarly);
    }
}
