namespace MqttCluster.Core.Delivery;

/// <summary>Which path brought a message to a session's connection.</summary>
public enum DeliveryOrigin
{
    /// <summary>Fan-out of a PUBLISH through this gateway's subscriptions.</summary>
    Live,

    /// <summary>Kept by the session while it was offline or before a hand-off, given back on resume.</summary>
    Stored,

    /// <summary>A retained message sent for a new subscription.</summary>
    Retained,

    /// <summary>A copy of a delivery that failed on its way (possibly to the client's previous connection).</summary>
    Rescued,
}

/// <summary>What <see cref="SessionDelivery{T}.Offer"/> did with a message.</summary>
public enum OfferOutcome
{
    /// <summary>Sent, or queued behind the in-flight window.</summary>
    Accepted,

    /// <summary>Held until the stored or retained messages that must precede it are out.</summary>
    Held,

    /// <summary>The session was given this message already (see <see cref="DeliveryLedger"/>).</summary>
    Duplicate,

    /// <summary>Refused by a limit or a check of the client's, and counted as a drop.</summary>
    Dropped,

    /// <summary>The connection no longer serves the session: its deliveries were drained.</summary>
    Closed,
}
