using System.Text;
using MqttCluster.Core.Security;

namespace MqttCluster.Passwd;

/// <summary>
/// Reads passwords from the terminal without echo, or plain lines when standard input is redirected (a script
/// piping the password in), so the password never has to be on the command line.
/// </summary>
internal sealed class ConsolePasswordPrompt : IPasswordPrompt
{
    public bool IsInteractive => !Console.IsInputRedirected;

    public string? Read(string prompt)
    {
        if (!IsInteractive)
        {
            return Console.In.ReadLine();
        }

        // The prompt goes to stderr so that stdout stays clean when it is redirected.
        Console.Error.Write(prompt);
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.Error.WriteLine();
                    return password.ToString();
                case ConsoleKey.Backspace:
                    if (password.Length > 0)
                    {
                        password.Length--;
                    }

                    break;
                default:
                    if (key.Modifiers.HasFlag(ConsoleModifiers.Control) && key.Key == ConsoleKey.D)
                    {
                        Console.Error.WriteLine();
                        return null;
                    }

                    if (!char.IsControl(key.KeyChar))
                    {
                        _ = password.Append(key.KeyChar);
                    }

                    break;
            }
        }
    }
}
