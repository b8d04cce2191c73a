using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MqttCluster.Storage.Postgres;

namespace MqttCluster.Storage.Tests.Postgres;

public sealed class PostgresGrainStorageOptionsTests
{
    [Fact]
    public void ConnectionStringWithHost_IsValid()
    {
        var options = new PostgresGrainStorageOptions { ConnectionString = "Host=db;Port=5432;Database=mqtt;Username=mqtt;Password=secret" };

        Assert.True(new PostgresGrainStorageOptionsValidator().Validate("default", options).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("Database=mqtt;Username=mqtt")]
    [InlineData("Host=db;Port=not-a-number")]
    [InlineData("Host=db;NoSuchSetting=1")]
    public void MissingOrBrokenConnectionString_IsRejected(string connectionString)
    {
        var options = new PostgresGrainStorageOptions { ConnectionString = connectionString };

        Assert.True(new PostgresGrainStorageOptionsValidator().Validate("test", options).Failed);
    }

    [Fact]
    public void Rejection_DoesNotEchoThePassword()
    {
        var options = new PostgresGrainStorageOptions { ConnectionString = "Password=hunter2;NoSuchSetting=1" };

        var result = new PostgresGrainStorageOptionsValidator().Validate("test", options);

        Assert.DoesNotContain("hunter2", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Registration_ValidatesNamedOptions()
    {
        using var services = new ServiceCollection()
            .AddPostgresGrainStorage("test", options => options.ConnectionString = "")
            .BuildServiceProvider();

        var monitor = services.GetRequiredService<IOptionsMonitor<PostgresGrainStorageOptions>>();

        Assert.Throws<OptionsValidationException>(() => monitor.Get("test"));
    }
}
