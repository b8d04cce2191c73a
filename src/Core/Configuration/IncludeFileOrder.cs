namespace MqttCluster.Core.Configuration;

/// <summary>
/// The order Mosquitto loads <c>include_dir</c> files in: letter by letter ignoring case, and where two letters
/// differ only in case, upper case first (00.conf, 01.conf, A.conf, a.conf, B.conf, b.conf). Neither ordinal nor
/// culture-aware comparison gives that.
/// </summary>
internal sealed class IncludeFileOrder : IComparer<string?>
{
    public static IncludeFileOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            // Mosquitto folds with toupper, so '_' sorts after letters; ToUpperInvariant keeps that.
            var folded = char.ToUpperInvariant(x[i]).CompareTo(char.ToUpperInvariant(y[i]));
            if (folded != 0)
            {
                return folded;
            }

            var exact = x[i].CompareTo(y[i]);
            if (exact != 0)
            {
                return exact;
            }
        }

        return x.Length.CompareTo(y.Length);
    }
}
