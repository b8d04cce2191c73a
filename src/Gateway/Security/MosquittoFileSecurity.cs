using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MqttCluster.Core.Security;

namespace MqttCluster.Gateway.Security;

/// <summary>
/// Mosquitto's access control, from the same files: <c>allow_anonymous</c> (by default only while every listener
/// is on loopback), a <c>password_file</c> written by mosquitto_passwd (or mqtt-cluster-passwd), and an
/// <c>acl_file</c>. Both files are reloaded on SIGHUP (as Mosquitto does) and when they change on disk; a file
/// with errors is reported and the rules in force stay.
/// </summary>
public sealed partial class MosquittoFileSecurity : IClientAuthenticator, IClientAuthorizer, IDisposable
{
    private readonly SecurityOptions _options;
    private readonly bool _allowAnonymous;
    private readonly ILogger<MosquittoFileSecurity> _logger;
    private readonly List<IDisposable> _watches = [];
    private PasswordFile? _passwords;
    private AclEvaluator? _acl;
    private long _version;

    public MosquittoFileSecurity(IOptions<SecurityOptions> security, IOptions<GatewayOptions> gateway, ILogger<MosquittoFileSecurity> logger)
        : this(security.Value, IsLoopbackOnly(gateway.Value.BindAddress), logger)
    {
    }

    /// <summary>The security of one listener (per_listener_settings); <paramref name="loopbackOnly"/> decides
    /// allow_anonymous when the options leave it unset.</summary>
    internal MosquittoFileSecurity(SecurityOptions options, bool loopbackOnly, ILogger<MosquittoFileSecurity> logger)
    {
        _options = options;
        _logger = logger;
        _allowAnonymous = _options.AllowAnonymous ?? loopbackOnly;

        // Invalid files stop the start (the options validator reports them); here they load.
        _passwords = _options.PasswordFile is { } passwordFile ? LoadPasswords(passwordFile) : null;
        _acl = _options.AclFile is { } aclFile ? new AclEvaluator(AclFile.Load(aclFile)) : null;
        if (_options.PasswordFile is not null || _options.AclFile is not null)
        {
            WatchForChanges();
        }
    }

    public bool IsActive => Volatile.Read(ref _acl) is not null;

    public long Version => Interlocked.Read(ref _version);

    public AuthenticationResult Authenticate(ClientCredentials credentials)
    {
        if (credentials.CertificateRequired && credentials.CertificateIdentity is null)
        {
            // Mosquitto refuses a client without a usable certificate on such a listener as a bad login.
            return AuthenticationResult.WrongCredentials;
        }

        if (credentials.CertificateIdentity is not null)
        {
            // The certificate, checked against the CA, vouches for the name (use_identity_as_username /
            // use_subject_as_username).
            return AuthenticationResult.As(credentials.CertificateIdentity);
        }

        if (credentials.Username is null)
        {
            return _allowAnonymous ? AuthenticationResult.Anonymous : AuthenticationResult.NotAuthorized;
        }

        var passwords = Volatile.Read(ref _passwords);
        if (passwords is null)
        {
            // Nothing to check a password against: only where anonymous clients are welcome anyway.
            return _allowAnonymous ? AuthenticationResult.As(credentials.Username) : AuthenticationResult.WrongCredentials;
        }

        return passwords.Verify(credentials.Username, credentials.Password ?? [])
            ? AuthenticationResult.As(credentials.Username)
            : AuthenticationResult.WrongCredentials;
    }

    public IClientPermissions For(string? username, string clientId) =>
        Volatile.Read(ref _acl) is { } acl ? new AclPermissions(acl.ForClient(username, clientId)) : AllPermissions.Instance;

    public void Dispose()
    {
        foreach (var watch in _watches)
        {
            watch.Dispose();
        }
    }

    /// <summary>Checks the configured files can be read, for the options validator.</summary>
    public static IEnumerable<string> Problems(SecurityOptions options)
    {
        foreach (var (setting, path, load) in new (string, string?, Action<string>)[]
        {
            ("Security:PasswordFile", options.PasswordFile, p => PasswordFile.Load(p)),
            ("Security:AclFile", options.AclFile, p => AclFile.Load(p)),
        })
        {
            if (path is null)
            {
                continue;
            }

            string? problem = null;
            try
            {
                load(path);
            }
            catch (Exception exception) when (exception is SecurityFileException or IOException or UnauthorizedAccessException)
            {
                problem = $"{setting}: {exception.Message}";
            }

            if (problem is not null)
            {
                yield return problem;
            }
        }
    }

    private void WatchForChanges()
    {
        if (!OperatingSystem.IsWindows())
        {
            _watches.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                Reload("SIGHUP");
            }));
        }

        foreach (var path in new[] { _options.PasswordFile, _options.AclFile }.OfType<string>())
        {
            var full = Path.GetFullPath(path);
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
            };
            watcher.Changed += (_, _) => Reload($"{full} changed");
            watcher.Created += (_, _) => Reload($"{full} changed");
            watcher.Renamed += (_, _) => Reload($"{full} replaced");
            watcher.EnableRaisingEvents = true;
            _watches.Add(watcher);
        }
    }

    private void Reload(string why)
    {
        try
        {
            var passwords = _options.PasswordFile is { } passwordFile ? LoadPasswords(passwordFile) : null;
            var acl = _options.AclFile is { } aclFile ? new AclEvaluator(AclFile.Load(aclFile)) : null;
            Volatile.Write(ref _passwords, passwords);
            Volatile.Write(ref _acl, acl);
            Interlocked.Increment(ref _version);
            LogReloaded(why);
        }
        catch (Exception exception) when (exception is SecurityFileException or IOException or UnauthorizedAccessException)
        {
            LogReloadFailed(why, exception.Message);
        }
    }

    /// <summary>Loads the password file; each line it skips is logged with its file and line, as Mosquitto does.</summary>
    private PasswordFile LoadPasswords(string path)
    {
        var passwords = PasswordFile.Load(path);
        foreach (var skipped in passwords.Warnings)
        {
            LogPasswordLineSkipped(skipped.ToString());
        }

        return passwords;
    }

    internal static bool IsLoopbackOnly(string bindAddress) =>
        bindAddress is "localhost" ||
        (System.Net.IPAddress.TryParse(bindAddress, out var address) && System.Net.IPAddress.IsLoopback(address));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Password file line skipped: {Diagnostic}")]
    private partial void LogPasswordLineSkipped(string diagnostic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Password and ACL files reloaded ({Why}); the new rules apply to every connection from now on")]
    private partial void LogReloaded(string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading the password or ACL file failed ({Why}); the previous rules stay in force: {Problem}")]
    private partial void LogReloadFailed(string why, string problem);
}
