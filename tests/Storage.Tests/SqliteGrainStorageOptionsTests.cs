using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MqttCluster.Storage.Tests;

public sealed class SqliteGrainStorageOptionsTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        var options = new SqliteGrainStorageOptions();

        Assert.True(new SqliteGrainStorageOptionsValidator().Validate("default", options).Succeeded);
        Assert.Equal("data", options.DataDirectory);
        Assert.Equal("broker.db", options.FileName);
        Assert.False(options.SynchronousFull);
    }

    [Theory]
    [InlineData("", "broker.db")]
    [InlineData("data", " ")]
    [InlineData("data", "sub/broker.db")]
    public void EmptyOrPathLikeNames_AreRejected(string dataDirectory, string fileName)
    {
        var options = new SqliteGrainStorageOptions { DataDirectory = dataDirectory, FileName = fileName };

        Assert.True(new SqliteGrainStorageOptionsValidator().Validate("test", options).Failed);
    }

    [Fact]
    public void Registration_ValidatesNamedOptions()
    {
        using var services = new ServiceCollection()
            .AddSqliteGrainStorage("test", options => options.FileName = "")
            .BuildServiceProvider();

        var monitor = services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>();

        Assert.Throws<OptionsValidationException>(() => monitor.Get("test"));
    }
}
