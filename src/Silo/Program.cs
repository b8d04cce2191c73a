using MqttCluster.Silo.Hosting;

return await BrokerHost.RunAsync(args);
