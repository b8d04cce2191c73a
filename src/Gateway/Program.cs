using MqttCluster.Gateway.Hosting;

return await StandaloneGateway.RunAsync(args);
