namespace MqttCluster.Core.Security;

/// <summary>
/// One line of a password file as it will be written back: an entry (<paramref name="Username"/> set), or a comment
/// or blank line kept verbatim so that editing one user leaves the rest of a hand-written file as it was.
/// </summary>
internal sealed record PasswordFileLine(string? Username, string Text);
