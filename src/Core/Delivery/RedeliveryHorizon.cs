namespace MqttCluster.Core.Delivery;

/// <summary>
/// How long after a message's first copy another copy of it can still arrive somewhere on the delivery path: a
/// delivery to a gateway retried until its rescue (<c>DeliveryBudget.RetrySpan</c>, about 15 s) and the rescue's
/// hand-over to the session's connection (<c>DeliveryBudget.RescueBound</c>, 5 s), with margin. Everything that must
/// outlast a late copy uses this one value: a connection's <see cref="DeliveryLedger"/>, the gateway's departed
/// sessions and a gateway's registry of sessions that left it. A test checks it against the budget.
/// </summary>
public static class RedeliveryHorizon
{
    public static readonly TimeSpan Length = TimeSpan.FromSeconds(30);
}
