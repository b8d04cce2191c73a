using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MqttCluster.Deploy.Tests.Infrastructure;
using static MqttCluster.Deploy.Tests.Infrastructure.Yaml;

namespace MqttCluster.Deploy.Tests;

/// <summary>deploy/compose: Compose accepts the file, and what it runs, sets and publishes matches the code.</summary>
public sealed partial class ComposeTests
{
    private const string ComposeFile = "deploy/compose/compose.yaml";
    private const string BrokerImage = "mqtt-cluster:latest";

    private readonly JsonObject _compose = LoadFile(ComposeFile);

    private IEnumerable<KeyValuePair<string, JsonNode?>> Services => Entries(_compose["services"]);

    private IEnumerable<KeyValuePair<string, JsonNode?>> BrokerServices => Services.Where(s => Text(s.Value?["image"]) == BrokerImage);

    [FactWhenComposeExists]
    public void Compose_accepts_the_file()
    {
        var (fileName, prefix, isV1) = ComposeCli.Command!.Value;
        var directory = Repository.PathOf("deploy/compose");
        using var temp = new TempDirectory("compose");
        var file = Repository.PathOf(ComposeFile);
        if (isV1)
        {
            // docker-compose 1.29 predates the top-level project name; everything else it validates as v2 does.
            file = temp.Write("compose.yaml", string.Join('\n', File.ReadAllLines(file).Where(l => !l.StartsWith("name:", StringComparison.Ordinal))));
        }

        var result = Tool.Run(fileName, [.. prefix, "-f", file, "--project-directory", directory, "config", "--quiet"], directory);
        Assert.True(result.ExitCode == 0 && result.Both.Trim().Length == 0, result.ToString());
    }

    [Fact]
    public void The_cluster_has_postgres_the_schema_three_grain_silos_two_gateways_and_tracing()
    {
        Assert.Contains(Services, s => Text(s.Value?["image"])?.StartsWith("postgres:", StringComparison.Ordinal) == true);
        Assert.Single(BrokerServices, s => Command(s.Value) is [_, "db", "init"]);
        Assert.Equal(3, Silos.Count());
        Assert.All(Silos, s => Assert.Equal("false", Environment(s.Value)["Cluster__HostGateway"]));
        Assert.Equal(2, Gateways.Count());
        Assert.Contains(Services, s => Text(s.Value?["image"])?.StartsWith("otel/opentelemetry-collector-contrib:", StringComparison.Ordinal) == true);
        Assert.Contains(Services, s => Text(s.Value?["image"])?.StartsWith("jaegertracing/all-in-one:", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Broker_commands_and_settings_exist_in_the_code()
    {
        var problems = BrokerServices.SelectMany(s =>
            BrokerCommand.Check(Command(s.Value)).Select(p => $"{s.Key}: {p}")
                .Concat(Environment(s.Value).Select(e => BrokerSettings.CheckEnvironmentVariable(e.Key, Interpolated(e.Value))).OfType<string>().Select(p => $"{s.Key}: {p}")))
            .ToList();
        Assert.Empty(problems);
    }

    [Fact]
    public void Gateways_publish_the_ports_they_listen_on()
    {
        var hostPorts = new List<string>();
        foreach (var (name, gateway) in Gateways)
        {
            var settings = Environment(gateway);
            var defaults = new MqttCluster.Gateway.GatewayOptions();
            var listening = new[]
            {
                settings.GetValueOrDefault("Mqtt__TcpPort") ?? defaults.TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                settings.GetValueOrDefault("Mqtt__WebSocketPort") ?? defaults.WebSocketPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            Assert.Equal("*", settings.GetValueOrDefault("Mqtt__BindAddress") ?? "*");
            var published = Items(gateway?["ports"]).Select(p => Text(p)!.Split(':')).ToList();
            Assert.Equal(listening.Order(), published.Select(p => p[^1]).Order());
            hostPorts.AddRange(published.Select(p => p[0]));
            AssertProbesReadiness(name, gateway);
        }

        Assert.Equal(hostPorts.Count, hostPorts.Distinct().Count());
    }

    [Fact]
    public void Silos_advertise_their_own_fixed_address_on_the_compose_network()
    {
        var subnet = Text(Items(_compose["networks"]?["cluster"]?["ipam"]?["config"]).Single()?["subnet"])!;
        var network = IPNetwork.Parse(subnet);
        var addresses = new List<string>();
        foreach (var (name, silo) in Silos)
        {
            var settings = Environment(silo);
            var advertised = settings["Cluster__AdvertisedAddress"];
            Assert.Equal(advertised, Text(silo?["networks"]?["cluster"]?["ipv4_address"]));
            Assert.True(network.Contains(IPAddress.Parse(advertised)), $"{name}: {advertised} is outside {subnet}");
            Assert.Equal("true", settings["Cluster__ListenOnAnyAddress"]);
            // The gateways wait for a healthy silo: one that has joined the cluster.
            AssertProbesReadiness(name, silo);
            addresses.Add(advertised);
        }

        Assert.Equal(addresses.Count, addresses.Distinct().Count());
    }

    [Fact]
    public void The_connection_string_names_the_postgres_service_and_its_database()
    {
        var postgres = Services.Single(s => Text(s.Value?["image"])?.StartsWith("postgres:", StringComparison.Ordinal) == true);
        var database = Environment(postgres.Value);
        foreach (var (name, service) in BrokerServices)
        {
            Assert.True(Environment(service).ContainsKey("Cluster__PostgresConnectionString"), $"{name} has no connection string");
            var parts = Environment(service)["Cluster__PostgresConnectionString"].Split(';')
                .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
            Assert.Equal(postgres.Key, parts["Host"]);
            Assert.Equal(database["POSTGRES_DB"], parts["Database"]);
            Assert.Equal(database["POSTGRES_USER"], parts["Username"]);
            Assert.True(database["POSTGRES_PASSWORD"] == parts["Password"], $"{name}: the password differs from the database's");
        }
    }

    [Fact]
    public void Paths_and_service_references_exist()
    {
        var directory = Repository.PathOf("deploy/compose");
        var names = Services.Select(s => s.Key).ToHashSet();
        foreach (var (name, service) in Services)
        {
            if (service?["build"] is JsonObject build)
            {
                var context = Path.GetFullPath(Path.Combine(directory, Text(build["context"])!));
                Assert.True(File.Exists(Path.Combine(context, Text(build["dockerfile"]) ?? "Dockerfile")), $"{name}: no Dockerfile in {context}");
            }

            foreach (var volume in Items(service?["volumes"]).Select(Text).OfType<string>().Where(v => v.StartsWith("./", StringComparison.Ordinal)))
            {
                Assert.True(File.Exists(Path.Combine(directory, volume.Split(':')[0])), $"{name}: {volume} does not exist");
            }

            var dependencies = service?["depends_on"] is JsonObject map ? map.Select(d => d.Key) : Items(service?["depends_on"]).Select(Text).OfType<string>();
            Assert.All(dependencies, d => Assert.Contains(d, names));
        }
    }

    [Fact]
    public void Telemetry_goes_to_the_collector_and_on_to_jaeger()
    {
        var endpoints = BrokerServices.Select(s => Environment(s.Value)["OTEL_EXPORTER_OTLP_ENDPOINT"]).Distinct().ToList();
        var endpoint = new Uri(Assert.Single(endpoints));
        var collector = Services.Single(s => s.Key == endpoint.Host);
        var mount = Items(collector.Value?["volumes"]).Select(Text).Single()!.Split(':');
        Assert.Equal("/etc/otelcol-contrib/config.yaml", mount[1]);

        var config = LoadFile("deploy/compose/" + mount[0].TrimStart('.', '/'));
        Assert.EndsWith($":{endpoint.Port}", Text(config["receivers"]?["otlp"]?["protocols"]?["grpc"]?["endpoint"]), StringComparison.Ordinal);
        var traces = config["service"]?["pipelines"]?["traces"];
        var exporter = Text(Assert.Single(Items(traces?["exporters"])))!;
        var jaeger = Text(config["exporters"]?[exporter]?["endpoint"])!.Split(':')[0];
        Assert.Contains(Services, s => s.Key == jaeger && Text(s.Value?["image"])!.StartsWith("jaegertracing/", StringComparison.Ordinal));
    }

    private IEnumerable<KeyValuePair<string, JsonNode?>> Silos =>
        BrokerServices.Where(s => Command(s.Value) is [var executable] && executable == BrokerCommand.SiloExecutable);

    private IEnumerable<KeyValuePair<string, JsonNode?>> Gateways =>
        BrokerServices.Where(s => Command(s.Value) is [var executable, ..] && executable == BrokerCommand.GatewayExecutable);

    private static IReadOnlyList<string> Command(JsonNode? service) => Items(service?["command"]).Select(Text).OfType<string>().ToList();

    private static Dictionary<string, string> Environment(JsonNode? service) =>
        service?["environment"] is JsonArray list
            ? list.Select(Text).OfType<string>().Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => Interpolated(e[1]) ?? "")
            : Entries(service?["environment"]).ToDictionary(e => e.Key, e => Interpolated(Text(e.Value)) ?? "");

    // Compose's ${VAR:-default} with VAR unset, as the checks see the file.
    private static string? Interpolated(string? value) => value is null ? null : Interpolation().Replace(value, m => m.Groups["default"].Value);

    /// <summary>The health check asks the management port (Management:Port, 8080 unless set) for /readyz and wants 200.</summary>
    private static void AssertProbesReadiness(string name, JsonNode? service)
    {
        var managementPort = Environment(service).GetValueOrDefault("Management__Port") ?? "8080";
        var check = ReadinessCheck().Match(string.Join(' ', Items(service?["healthcheck"]?["test"]).Select(Text)));
        Assert.True(check.Success && check.Groups["port"].Value == managementPort, $"{name}: the health check does not ask GET /readyz on the management port {managementPort}");
    }

    [GeneratedRegex(@"\$\{[A-Za-z_][A-Za-z0-9_]*(?::-(?<default>[^}]*))?\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"/dev/tcp/127\.0\.0\.1/(?<port>\d+) .*GET /readyz HTTP/1\.0.*grep -q "" 200 """)]
    private static partial Regex ReadinessCheck();
}
