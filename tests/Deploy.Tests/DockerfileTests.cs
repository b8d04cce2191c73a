using System.Text.RegularExpressions;
using System.Xml.Linq;
using MqttCluster.Deploy.Tests.Infrastructure;

namespace MqttCluster.Deploy.Tests;

/// <summary>
/// The root Dockerfile and .dockerignore, without a Docker engine: what the build copies exists and is in the
/// build context, every project and file the publish needs is in it, and the image runs and exposes what the code
/// has. (The publish command itself was run by hand on such a context; see deploy/compose/README.md.)
/// </summary>
public sealed partial class DockerfileTests
{
    private readonly string[] _lines = Instructions(Repository.Read("Dockerfile")).ToArray();
    private readonly DockerIgnore _ignore = DockerIgnore.Parse(Repository.Read(".dockerignore"));

    [Fact]
    public void Copied_sources_exist_and_are_in_the_build_context()
    {
        var sources = CopySources().ToList();
        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            Assert.True(File.Exists(Repository.PathOf(source)) || Directory.Exists(Repository.PathOf(source)), $"COPY {source}: not in the repository");
            Assert.True(_ignore.IsInContext(source), $"COPY {source}: excluded by .dockerignore");
        }
    }

    [Fact]
    public void Every_project_and_file_the_publish_reads_is_copied()
    {
        var published = Regex.Match(string.Join('\n', _lines), @"dotnet publish (\S+\.csproj)").Groups[1].Value;
        Assert.Equal("src/Silo/MqttCluster.Silo.csproj", published);

        var needed = new List<string> { "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" };
        var pending = new Queue<string>([published]);
        var seen = new HashSet<string>();
        while (pending.TryDequeue(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            needed.Add(project);
            var folder = Path.GetDirectoryName(project)!;
            foreach (var item in XDocument.Parse(Repository.Read(project)).Descendants())
            {
                var include = item.Attribute("Include")?.Value;
                if (include is null || item.Name.LocalName is not ("ProjectReference" or "EmbeddedResource" or "Content" or "None"))
                {
                    continue;
                }

                var path = Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(Repository.PathOf(folder), include))).Replace('\\', '/');
                if (item.Name.LocalName == "ProjectReference")
                {
                    pending.Enqueue(path);
                }
                else
                {
                    needed.AddRange(Directory.GetFiles(Repository.PathOf(Path.GetDirectoryName(path)!), Path.GetFileName(path))
                        .Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/')));
                }
            }
        }

        var copied = CopySources().ToList();
        foreach (var file in needed)
        {
            Assert.True(copied.Any(c => file == c || file.StartsWith(c.TrimEnd('/') + "/", StringComparison.Ordinal)), $"{file} is needed by the publish but not copied");
            Assert.True(_ignore.IsInContext(file), $"{file} is needed by the publish but excluded by .dockerignore");
        }

        // Build output, node_modules and a local data directory stay out.
        Assert.False(_ignore.IsInContext("src/Silo/bin/Release/net10.0/mqtt-cluster-silo.dll"));
        Assert.False(_ignore.IsInContext("src/Silo/obj/project.assets.json"));
        Assert.False(_ignore.IsInContext("src/Silo/data/broker.db"));
        Assert.False(_ignore.IsInContext("tests/Core.Tests/TopicTrieTests.cs"));
    }

    [Fact]
    public void The_runtime_stage_is_aspnet_non_root_and_runs_the_broker()
    {
        var stages = _lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, stages.Count);
        Assert.Contains("mcr.microsoft.com/dotnet/sdk:10.0", stages[0], StringComparison.Ordinal);
        Assert.Equal("FROM mcr.microsoft.com/dotnet/aspnet:10.0", stages[1]);
        var runtime = _lines.SkipWhile(l => l != stages[1]).ToList();
        Assert.Contains("USER $APP_UID", runtime);

        var command = Regex.Match(runtime.Single(l => l.StartsWith("CMD ", StringComparison.Ordinal)), "\\[\"([^\"]+)\"").Groups[1].Value;
        Assert.Equal(BrokerCommand.SiloExecutable, command);

        var defaults = new MqttCluster.Gateway.GatewayOptions();
        var exposed = runtime.Single(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal)).Split(' ')[1..];
        Assert.Equal([defaults.TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), defaults.WebSocketPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], exposed);
    }

    [Fact]
    public void Environment_of_the_image_is_broker_settings_or_runtime_variables()
    {
        var assignments = _lines.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
            .SelectMany(l => SystemdUnit.Words(l[4..]))
            .Select(SystemdUnit.Assignment)
            .ToList();
        Assert.NotEmpty(assignments);
        Assert.Empty(assignments.Select(a => BrokerSettings.CheckEnvironmentVariable(a.Key, a.Key == "PATH" ? "/app" : a.Value)).OfType<string>());
    }

    private IEnumerable<string> CopySources() =>
        _lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]);

    // Instructions with continuation lines joined and comments dropped.
    private static IEnumerable<string> Instructions(string dockerfile) =>
        Continuation().Replace(dockerfile, " ").Split('\n')
            .Select(l => Regex.Replace(l.Trim(), @"\s+", " "))
            .Where(l => l.Length > 0 && !l.StartsWith('#'));

    [GeneratedRegex(@"\\\r?\n(\s*#[^\n]*\n)*")]
    private static partial Regex Continuation();
}
