using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MqttCluster.Deploy.Tests.Infrastructure;
using MqttCluster.Gateway.Hosting;
using Orleans.Hosting.Kubernetes;
using static MqttCluster.Deploy.Tests.Infrastructure.Yaml;

namespace MqttCluster.Deploy.Tests;

/// <summary>
/// deploy/kubernetes: every manifest parses, the objects refer to each other correctly (selectors, named ports,
/// secrets, config maps), and what the containers run and set matches the code.
/// </summary>
public sealed partial class KubernetesTests
{
    private const string Folder = "deploy/kubernetes";
    private static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "Job"];

    // Management:Port's default: health, readiness and metrics over HTTP.
    private const string ManagementPort = "8080";

    private readonly List<(string File, JsonObject Object)> _objects =
        Repository.Files(Folder, "*.yaml").Where(f => !f.EndsWith("/kustomization.yaml", StringComparison.Ordinal))
            .SelectMany(f => LoadDocuments(f).Select(o => (f, o))).ToList();

    [Fact]
    public void Every_manifest_reads_strictly_into_the_kubernetes_api_models()
    {
        // The client library's models of the API: an unknown or misspelt field, or a value of the wrong type, fails.
        foreach (var file in _objects.Select(o => o.File).Distinct())
        {
            try
            {
                var models = k8s.KubernetesYaml.LoadAllFromString(Repository.Read(file), strict: true);
                Assert.Equal(
                    _objects.Where(o => o.File == file).Select(o => Text(o.Object["kind"])),
                    models.Select(m => ((k8s.IKubernetesObject)m).Kind));
            }
            catch (YamlDotNet.Core.YamlException exception)
            {
                Assert.Fail($"{file}: {exception.Start}: {exception.Message} {exception.InnerException?.Message}");
            }
        }
    }

    [Fact]
    public void Every_manifest_is_a_named_kubernetes_object_listed_in_the_kustomization()
    {
        Assert.All(_objects, o =>
        {
            Assert.False(string.IsNullOrEmpty(Text(o.Object["apiVersion"])), $"{o.File}: no apiVersion");
            Assert.False(string.IsNullOrEmpty(Text(o.Object["kind"])), $"{o.File}: no kind");
            Assert.False(string.IsNullOrEmpty(Text(o.Object["metadata"]?["name"])), $"{o.File}: no metadata.name");
        });

        var kustomization = LoadFile($"{Folder}/kustomization.yaml");
        var resources = Items(kustomization["resources"]).Select(r => $"{Folder}/{Text(r)}").Order().ToList();
        Assert.Equal(_objects.Select(o => o.File).Distinct().Order(), resources);

        // The image the containers name is the one the kustomization maps to a registry.
        var image = Text(Assert.Single(Items(kustomization["images"]))?["name"]);
        Assert.All(Containers(), c => Assert.Equal(image, Text(c.Container["image"])));
    }

    [Fact]
    public void Silos_run_grains_only_as_a_statefulset_with_a_headless_service_and_orleans_kubernetes_hosting()
    {
        var silos = Workload("StatefulSet");
        var container = Assert.Single(Items(silos["spec"]?["template"]?["spec"]?["containers"]))!;
        Assert.Equal([BrokerCommand.SiloExecutable], Items(container["command"]).Select(Text));
        var env = Env(container);
        Assert.Equal("false", Text(env["Cluster__HostGateway"]?["value"]));
        Assert.Equal("true", Text(env[$"Cluster__{nameof(BrokerClusterOptions.Kubernetes)}"]?["value"]));

        // Orleans' Kubernetes hosting takes the pod's name, namespace and IP from these variables.
        Assert.Equal("metadata.name", FieldPath(env, KubernetesHostingOptions.PodNameEnvironmentVariable));
        Assert.Equal("metadata.namespace", FieldPath(env, KubernetesHostingOptions.PodNamespaceEnvironmentVariable));
        Assert.Equal("status.podIP", FieldPath(env, KubernetesHostingOptions.PodIPEnvironmentVariable));
        Assert.Equal(
            new[] { Text(env["Silo__SiloPort"]?["value"]), Text(env["Silo__GatewayPort"]?["value"]), ManagementPort }.Order(),
            Items(container["ports"]).Select(p => Text(p?["containerPort"])).Order());

        var service = Object("Service", Text(silos["spec"]?["serviceName"])!);
        Assert.Equal("None", Text(service["spec"]?["clusterIP"]));
    }

    [Fact]
    public void Silo_pods_carry_the_cluster_identity_the_gateways_use_as_the_labels_orleans_reads()
    {
        // The agent finds the cluster's pods by these labels (and patches its own pod when they differ); the silos
        // read the identity from them, and the gateways, which are no pods of the StatefulSet, from the config map.
        var template = Workload("StatefulSet")["spec"]?["template"];
        var labels = template?["metadata"]?["labels"];
        var env = Env(Assert.Single(Items(template?["spec"]?["containers"]))!);
        var shared = Entries(Object("ConfigMap", "mqtt-cluster")["data"]).ToDictionary(d => d.Key, d => Text(d.Value));
        foreach (var (label, variable, setting) in new[]
        {
            (KubernetesHostingOptions.ClusterIdLabel, KubernetesHostingOptions.ClusterIdEnvironmentVariable, "Cluster__ClusterId"),
            (KubernetesHostingOptions.ServiceIdLabel, KubernetesHostingOptions.ServiceIdEnvironmentVariable, "Cluster__ServiceId"),
        })
        {
            Assert.Equal($"metadata.labels['{label}']", FieldPath(env, variable));
            Assert.True(shared.TryGetValue(setting, out var value), $"the config map has no {setting}");
            Assert.True(Text(labels?[label]) == value, $"pod label {label}={Text(labels?[label])}, but the config map says {setting}={value}");
        }
    }

    [Fact]
    public void The_silos_service_account_may_read_watch_patch_and_delete_pods_and_nothing_else()
    {
        var pod = Workload("StatefulSet")["spec"]?["template"]?["spec"];
        var account = Object("ServiceAccount", Text(pod?["serviceAccountName"])!);
        var binding = Assert.Single(
            _objects.Select(o => o.Object).Where(o => Text(o["kind"]) == "RoleBinding"),
            b => Items(b["subjects"]).Any(s => Text(s?["kind"]) == "ServiceAccount" && Text(s?["name"]) == Text(account["metadata"]?["name"])));
        var subject = Items(binding["subjects"]).Single(s => Text(s?["kind"]) == "ServiceAccount");
        Assert.Equal(Text(LoadFile($"{Folder}/kustomization.yaml")["namespace"]), Text(subject?["namespace"]));
        Assert.Equal("Role", Text(binding["roleRef"]?["kind"]));
        Assert.Equal("rbac.authorization.k8s.io", Text(binding["roleRef"]?["apiGroup"]));

        var rule = Assert.Single(Items(Object("Role", Text(binding["roleRef"]?["name"])!)["rules"]))!;
        Assert.Equal([""], Items(rule["apiGroups"]).Select(Text));
        Assert.Equal(["pods"], Items(rule["resources"]).Select(Text));
        Assert.Equal(["delete", "get", "list", "patch", "watch"], Items(rule["verbs"]).Select(Text).Order());
    }

    [Fact]
    public void Gateways_listen_on_the_ports_their_service_exposes()
    {
        var gateways = Workload("Deployment");
        var container = Assert.Single(Items(gateways["spec"]?["template"]?["spec"]?["containers"]))!;
        Assert.Equal([BrokerCommand.GatewayExecutable], Items(container["command"]).Select(Text));
        var env = Env(container);
        Assert.Equal("*", Text(env["Mqtt__BindAddress"]?["value"]));
        var listening = new[] { Text(env["Mqtt__TcpPort"]?["value"]), Text(env["Mqtt__WebSocketPort"]?["value"]), ManagementPort };
        Assert.Equal(listening.Order(), Items(container["ports"]).Select(p => Text(p?["containerPort"])).Order());

        var service = _objects.Single(o => Text(o.Object["kind"]) == "Service" && Text(o.Object["spec"]?["type"]) == "LoadBalancer").Object;
        Assert.Equal(["1883", "9001"], Items(service["spec"]?["ports"]).Select(p => Text(p?["port"])).Order());
        Assert.All(Items(service["spec"]?["ports"]), p => Assert.Equal("TCP", Text(p?["protocol"]) ?? "TCP"));
    }

    [Fact]
    public void Silos_and_gateways_are_probed_on_the_management_port_facing_the_pod_network()
    {
        foreach (var (name, container) in Containers().Where(c => !c.Name.Contains("db-init", StringComparison.Ordinal)))
        {
            var port = Items(container["ports"]).SingleOrDefault(p => Text(p?["name"]) == "management");
            Assert.True(port is not null && Text(port["containerPort"]) == (Text(Env(container).GetValueOrDefault("Management__Port")?["value"]) ?? ManagementPort), $"{name}: no container port 'management' on the management port");

            // The kubelet connects to the pod's IP: the default 127.0.0.1 would refuse it.
            Assert.Equal("0.0.0.0", Text(Env(container).GetValueOrDefault("Management__BindAddress")?["value"]));
            Assert.Equal(("/readyz", "management"), (Text(container["readinessProbe"]?["httpGet"]?["path"]), Text(container["readinessProbe"]?["httpGet"]?["port"])));
            Assert.Equal(("/healthz", "management"), (Text(container["livenessProbe"]?["httpGet"]?["path"]), Text(container["livenessProbe"]?["httpGet"]?["port"])));
        }
    }

    [Fact]
    public void The_schema_job_runs_db_init()
    {
        var job = Workload("Job");
        var container = Assert.Single(Items(job["spec"]?["template"]?["spec"]?["containers"]))!;
        Assert.Equal([BrokerCommand.SiloExecutable, "db", "init"], Items(container["command"]).Select(Text));
    }

    [Fact]
    public void Commands_and_settings_exist_in_the_code()
    {
        var problems = new List<string>();
        foreach (var (name, container) in Containers())
        {
            problems.AddRange(BrokerCommand.Check(Items(container["command"]).Select(Text).OfType<string>().ToList()).Select(p => $"{name}: {p}"));
            foreach (var (variable, entry) in Env(container))
            {
                problems.AddRange(new[] { BrokerSettings.CheckEnvironmentVariable(variable, Text(entry?["value"])) }.OfType<string>().Select(p => $"{name}: {p}"));
            }
        }

        foreach (var map in _objects.Where(o => Text(o.Object["kind"]) == "ConfigMap"))
        {
            problems.AddRange(Entries(map.Object["data"]).Select(d => BrokerSettings.CheckEnvironmentVariable(d.Key, Text(d.Value))).OfType<string>().Select(p => $"{map.File}: {p}"));
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Secrets_and_config_maps_the_containers_read_exist()
    {
        foreach (var (name, container) in Containers())
        {
            foreach (var (variable, entry) in Env(container))
            {
                if (entry?["valueFrom"]?["secretKeyRef"] is JsonObject reference)
                {
                    var secret = Object("Secret", Text(reference["name"])!);
                    var keys = Entries(secret["stringData"]).Concat(Entries(secret["data"])).Select(k => k.Key);
                    Assert.True(keys.Contains(Text(reference["key"])), $"{name}: {variable} reads key {Text(reference["key"])}, which the secret does not have");
                }
            }

            foreach (var source in Items(container["envFrom"]))
            {
                Object("ConfigMap", Text(source?["configMapRef"]?["name"])!);
            }
        }
    }

    [Fact]
    public void Selectors_named_ports_and_probes_fit_together()
    {
        var workloads = _objects.Where(o => WorkloadKinds.Contains(Text(o.Object["kind"]))).Select(o => o.Object).ToList();
        foreach (var workload in workloads.Where(w => Text(w["kind"]) != "Job"))
        {
            Assert.True(IsSubset(workload["spec"]?["selector"]?["matchLabels"], workload["spec"]?["template"]?["metadata"]?["labels"]),
                $"{Text(workload["metadata"]?["name"])}: selector does not match its pod labels");
        }

        foreach (var (file, service) in _objects.Where(o => Text(o.Object["kind"]) is "Service"))
        {
            var target = Assert.Single(workloads, w => IsSubset(service["spec"]?["selector"], w["spec"]?["template"]?["metadata"]?["labels"]));
            var ports = PodPorts(target);
            Assert.All(Items(service["spec"]?["ports"]), p => Assert.True(
                ports.Contains(Text(p?["targetPort"]) ?? Text(p?["port"])!), $"{file}: targetPort {Text(p?["targetPort"])} is no container port"));
        }

        foreach (var (file, budget) in _objects.Where(o => Text(o.Object["kind"]) is "PodDisruptionBudget"))
        {
            Assert.True(workloads.Count(w => IsSubset(budget["spec"]?["selector"]?["matchLabels"], w["spec"]?["template"]?["metadata"]?["labels"])) == 1, $"{file}: selects no single workload");
        }

        foreach (var (name, container) in Containers().Where(c => !c.Name.Contains("db-init", StringComparison.Ordinal)))
        {
            var ports = Items(container["ports"]).SelectMany(p => new[] { Text(p?["name"]), Text(p?["containerPort"]) }).OfType<string>().ToHashSet();
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            {
                var port = Text(container[probe]?["tcpSocket"]?["port"]) ?? Text(container[probe]?["httpGet"]?["port"]);
                Assert.True(port is not null && ports.Contains(port), $"{name}: {probe} probes '{port}', not a container port");
            }

            Assert.All(Items(container["ports"]).Select(p => Text(p?["name"])), n => Assert.Matches(PortName(), n));
        }
    }

    [Fact]
    public void Every_container_has_resource_requests_and_limits_and_runs_unprivileged()
    {
        foreach (var (name, container) in Containers())
        {
            Assert.False(string.IsNullOrEmpty(Text(container["resources"]?["requests"]?["cpu"])), $"{name}: no CPU request");
            Assert.False(string.IsNullOrEmpty(Text(container["resources"]?["requests"]?["memory"])), $"{name}: no memory request");
            Assert.False(string.IsNullOrEmpty(Text(container["resources"]?["limits"]?["memory"])), $"{name}: no memory limit");
            Assert.Equal("false", Text(container["securityContext"]?["allowPrivilegeEscalation"]));
        }
    }

    private IEnumerable<(string Name, JsonObject Container)> Containers() =>
        _objects.Where(o => WorkloadKinds.Contains(Text(o.Object["kind"])))
            .SelectMany(o => Items(o.Object["spec"]?["template"]?["spec"]?["containers"]).OfType<JsonObject>()
                .Select(c => ($"{Text(o.Object["metadata"]?["name"])}/{Text(c["name"])}", c)));

    private JsonObject Workload(string kind) => Assert.Single(_objects, o => Text(o.Object["kind"]) == kind).Object;

    private JsonObject Object(string kind, string name)
    {
        var found = _objects.Where(o => Text(o.Object["kind"]) == kind && Text(o.Object["metadata"]?["name"]) == name).ToList();
        Assert.True(found.Count == 1, $"no {kind} named '{name}' in {Folder}");
        return found[0].Object;
    }

    private static string? FieldPath(Dictionary<string, JsonNode?> env, string variable) =>
        Text(env.GetValueOrDefault(variable)?["valueFrom"]?["fieldRef"]?["fieldPath"]);

    private static Dictionary<string, JsonNode?> Env(JsonNode container) =>
        Items(container["env"]).ToDictionary(e => Text(e?["name"])!, e => e);

    private static HashSet<string> PodPorts(JsonNode workload) =>
        Items(workload["spec"]?["template"]?["spec"]?["containers"]).SelectMany(c => Items(c?["ports"]))
            .SelectMany(p => new[] { Text(p?["name"]), Text(p?["containerPort"]) }).OfType<string>().ToHashSet();

    private static bool IsSubset(JsonNode? labels, JsonNode? of) =>
        Entries(labels).Any() && Entries(labels).All(l => Text(of?[l.Key]) == Text(l.Value));

    // A port name: at most 15 lowercase letters, digits and single hyphens, with a letter (IANA_SVC_NAME).
    [GeneratedRegex("^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(?:-[a-z0-9]+)*$")]
    private static partial Regex PortName();
}
