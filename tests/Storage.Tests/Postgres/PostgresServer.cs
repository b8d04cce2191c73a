using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace MqttCluster.Storage.Tests.Postgres;

/// <summary>
/// A throwaway PostgreSQL server for tests: <c>initdb</c> into a temp directory, <c>pg_ctl start</c> on a free
/// 127.0.0.1 port, one database, <c>pg_ctl stop -m fast</c> and the directory deleted on dispose.
/// </summary>
/// <remarks>
/// Self-contained (xunit + Npgsql only) so other test projects can copy this file as it is; use it as an xunit class
/// fixture (<c>IClassFixture&lt;PostgresServer&gt;</c>) or on its own with <see cref="StartAsync"/>.
/// Needs Debian's <c>postgresql</c> package (binaries in /usr/lib/postgresql/N/bin) or <c>initdb</c>/<c>pg_ctl</c> on
/// PATH; <c>POSTGRES_BIN</c> overrides the directory. There is deliberately no skip: a missing server fails the test.
/// PostgreSQL refuses to run as root, so under root the server runs as the <c>postgres</c> OS user (the package
/// creates it) through <c>runuser</c> or <c>setpriv</c>, and the temp directory is handed to that user.
/// Durability is off (fsync, synchronous_commit): a crash of the test machine loses test data only.
/// </remarks>
public sealed class PostgresServer : IAsyncLifetime, IAsyncDisposable
{
    private const string SuperUser = "postgres";
    private const string OsUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "mqttcluster-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private string? _binDirectory;
    private bool _started;
    private int _databases;

    /// <summary>The port the server listens on (127.0.0.1 only).</summary>
    public int Port { get; private set; }

    /// <summary>The database created at start, named <c>mqtt</c>.</summary>
    public string DatabaseName => "mqtt";

    /// <summary>Connection string to <see cref="DatabaseName"/> as the superuser (trust authentication, no password).</summary>
    public string ConnectionString => ConnectionStringFor(DatabaseName);

    /// <summary>The directory holding the data directory, the socket and the server log.</summary>
    public string RootDirectory => _root;

    private string DataDirectory => Path.Combine(_root, "data");

    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>Starts a server; dispose it to stop it and delete its files.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var server = new PostgresServer();
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    /// <summary>Runs <c>initdb</c>, starts the server and creates <see cref="DatabaseName"/>.</summary>
    public async Task InitializeAsync()
    {
        _binDirectory = FindBinDirectory();
        Directory.CreateDirectory(_root);
        await GiveToServerUserAsync(_root);
        await RunAsync("initdb", $"-D {Quote(DataDirectory)} -U {SuperUser} --auth=trust --encoding=UTF8 --no-locale --no-sync");
        await StartServerAsync(FreePort());
        await ExecuteAsync("postgres", $"CREATE DATABASE {DatabaseName}");
    }

    /// <summary>Creates another empty database on this server and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"db{Interlocked.Increment(ref _databases)}";
        await ExecuteAsync("postgres", $"CREATE DATABASE {name}");
        return ConnectionStringFor(name);
    }

    /// <summary>Connection string to <paramref name="database"/> on this server.</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = database,
        Timeout = 5,
    }.ConnectionString;

    /// <summary>Stops the server (fast shutdown: open sessions are disconnected), keeping its files.</summary>
    public async Task StopAsync()
    {
        if (_started)
        {
            AppDomain.CurrentDomain.ProcessExit -= StopOnProcessExit;
            await RunAsync("pg_ctl", $"-D {Quote(DataDirectory)} -m fast -w -t 30 stop");
            _started = false;
        }
    }

    /// <summary>Starts a server stopped with <see cref="StopAsync"/> again on the same port.</summary>
    public Task RestartAsync() => StartServerAsync(Port);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
    }

    private async Task StartServerAsync(int port)
    {
        Port = port;
        var serverOptions = string.Join(' ',
            $"-p {port}",
            $"-k {_root}",
            "-c listen_addresses=127.0.0.1",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=200");
        try
        {
            await RunAsync("pg_ctl", $"-D {Quote(DataDirectory)} -l {Quote(LogFile)} -o {Quote(serverOptions)} -w -t 30 start");
        }
        catch (InvalidOperationException exception)
        {
            throw new InvalidOperationException($"{exception.Message}\nServer log {LogFile}:\n{ReadLog()}", exception);
        }

        _started = true;
        AppDomain.CurrentDomain.ProcessExit += StopOnProcessExit;
    }

    // Safety net for a test host that exits without disposing fixtures: never leave a postmaster behind.
    private void StopOnProcessExit(object? sender, EventArgs e)
    {
        if (_started)
        {
            RunAsync("pg_ctl", $"-D {Quote(DataDirectory)} -m immediate -w -t 10 stop").GetAwaiter().GetResult();
        }
    }

    private async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor(database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private string ReadLog()
    {
        try
        {
            return File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log)";
        }
        catch (IOException exception)
        {
            return $"(unreadable: {exception.Message})";
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a PostgreSQL binary, as the postgres OS user when this process is root.</summary>
    private async Task RunAsync(string program, string arguments)
    {
        var executable = Path.Combine(_binDirectory!, program);
        var (fileName, fullArguments) = IsRoot ? AsServerUser(executable, arguments) : (executable, arguments);
        var (exitCode, output) = await RunProcessAsync(fileName, fullArguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {arguments}' exited with {exitCode}:\n{output}");
        }
    }

    private static (string FileName, string Arguments) AsServerUser(string executable, string arguments)
    {
        if (FindOnPath("runuser") is { } runuser)
        {
            return (runuser, $"-u {OsUser} -- {Quote(executable)} {arguments}");
        }

        if (FindOnPath("setpriv") is { } setpriv)
        {
            return (setpriv, $"--reuid={OsUser} --regid={OsUser} --init-groups {Quote(executable)} {arguments}");
        }

        throw new InvalidOperationException(
            "Running as root, and PostgreSQL refuses to run as root; neither runuser nor setpriv (util-linux) was found to run it as the 'postgres' user.");
    }

    private static async Task GiveToServerUserAsync(string directory)
    {
        if (!IsRoot)
        {
            return;
        }

        var (exitCode, output) = await RunProcessAsync("chown", $"-R {OsUser}:{OsUser} {Quote(directory)}");
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"Running as root, PostgreSQL must run as the '{OsUser}' OS user, but 'chown {OsUser}' of {directory} failed " +
                $"(does the user exist? `apt-get install postgresql` creates it):\n{output}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunProcessAsync(string fileName, string arguments)
    {
        var startInfo = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // pg_ctl prints localized messages; keep them readable in test output.
        startInfo.Environment["LC_ALL"] = "C";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {arguments}' did not finish within {CommandTimeout}:\n{Snapshot(output)}");
        }

        return (process.ExitCode, Snapshot(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    /// <summary>POSTGRES_BIN, else PATH, else the newest /usr/lib/postgresql/N/bin (Debian's layout).</summary>
    private static string FindBinDirectory()
    {
        static bool HasTools(string? directory) =>
            !string.IsNullOrEmpty(directory) && File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl"));

        var configured = Environment.GetEnvironmentVariable("POSTGRES_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return HasTools(configured)
                ? configured
                : throw new InvalidOperationException($"POSTGRES_BIN={configured} does not contain initdb and pg_ctl.");
        }

        if (Path.GetDirectoryName(FindOnPath("initdb") ?? "") is { } onPath && HasTools(onPath))
        {
            return onPath;
        }

        const string debianRoot = "/usr/lib/postgresql";
        var newest = Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot)
                .Select(directory => (Directory: Path.Combine(directory, "bin"), Version: ParseVersion(Path.GetFileName(directory))))
                .Where(candidate => candidate.Version is not null && HasTools(candidate.Directory))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Directory)
                .FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin. " +
            "These tests start their own PostgreSQL server: install it with `apt-get install -y postgresql` " +
            "(or set POSTGRES_BIN to the directory holding initdb and pg_ctl).");
    }

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var version) ? version : null;

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Asks the OS for a free port; the tiny race with other processes is covered by pg_ctl failing loudly.</summary>
    /// <summary>Below the ephemeral range, so an outgoing connection cannot take it before the server (or its
    /// restart on the same port) binds it (see <c>FreePorts</c>).</summary>
    private static int FreePort() => MqttCluster.Tests.Shared.FreePorts.Take(1)[0];

    private static string Quote(string value) => "\"" + value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
