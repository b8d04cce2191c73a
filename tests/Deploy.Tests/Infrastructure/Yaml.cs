using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>
/// YAML files as JSON nodes, so the checks navigate them with indexers. Aliases are resolved and merge keys
/// (<c>&lt;&lt;: *anchor</c>, as compose files use them) applied, keys given next to a merge winning. Duplicate keys
/// and syntax errors fail with the file and position.
/// </summary>
internal static class Yaml
{
    private const string MergeKey = "<<";

    public static JsonObject LoadFile(string relativePath) => Single(LoadDocuments(relativePath), relativePath);

    public static IReadOnlyList<JsonObject> LoadDocuments(string relativePath)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(Repository.Read(relativePath));
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException exception)
        {
            Assert.Fail($"{relativePath}: {exception.Start}: {exception.Message} {exception.InnerException?.Message}");
        }

        return stream.Documents
            .Select(d => ToJson(d.RootNode) as JsonObject ?? throw new InvalidDataException($"{relativePath}: a document is not a mapping"))
            .ToList();
    }

    public static string? Text(JsonNode? node) => node is JsonValue value ? value.GetValue<string>() : null;

    public static IEnumerable<KeyValuePair<string, JsonNode?>> Entries(JsonNode? node) =>
        node as JsonObject ?? Enumerable.Empty<KeyValuePair<string, JsonNode?>>();

    public static IEnumerable<JsonNode?> Items(JsonNode? node) => node as JsonArray ?? Enumerable.Empty<JsonNode?>();

    private static JsonObject Single(IReadOnlyList<JsonObject> documents, string path)
    {
        Assert.True(documents.Count == 1, $"{path}: expected one YAML document, found {documents.Count}");
        return documents[0];
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Value is null ? null : JsonValue.Create(scalar.Value),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlMappingNode mapping => ToJson(mapping),
        _ => throw new InvalidDataException($"unexpected YAML node {node.NodeType} at {node.Start}"),
    };

    private static JsonObject ToJson(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name == MergeKey)
            {
                continue;
            }

            result[name] = ToJson(value);
        }

        // Merged mappings fill in what the mapping does not say itself (YAML merge key semantics).
        if (mapping.Children.TryGetValue(new YamlScalarNode(MergeKey), out var merged))
        {
            var sources = merged is YamlSequenceNode list ? list.Children : [merged];
            foreach (var source in sources.OfType<YamlMappingNode>())
            {
                foreach (var (name, value) in ToJson(source))
                {
                    if (!result.ContainsKey(name))
                    {
                        result[name] = value?.DeepClone();
                    }
                }
            }
        }

        return result;
    }
}
