namespace MqttCluster.Grains.Tests.Failures;

/// <summary>Selectors of calls for <see cref="CallFaults"/>.</summary>
internal static class Calls
{
    /// <summary>A topic grain's delivery to <paramref name="gateway"/>.</summary>
    public static Func<IGrainCallContext, bool> DeliveryTo(ModelGateway gateway)
    {
        var observer = gateway.ObserverId;
        return call => call.TargetId == observer && call.InterfaceMethod.Name == nameof(IGatewayObserver.DeliverAsync);
    }

    /// <summary>A call of <paramref name="method"/> on <paramref name="grain"/>.</summary>
    public static Func<IGrainCallContext, bool> To(IAddressable grain, string method)
    {
        var target = grain.GetGrainId();
        return call => call.TargetId == target && call.InterfaceMethod.Name == method;
    }
}
