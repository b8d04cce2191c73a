using System.Text;
using MqttCluster.Telemetry.Logging;

namespace MqttCluster.Gateway.Tests.Telemetry;

/// <summary>The broker's console log writer: every line out once and whole, in order, errors apart, and a bound.</summary>
public sealed class BatchedConsoleWriterTests
{
    [Fact]
    public void Lines_from_many_threads_are_each_written_once_whole_and_in_each_threads_order()
    {
        var output = new MemoryStream();
        var writer = new BatchedConsoleWriter(output, new MemoryStream());
        const int threads = 8;
        const int linesEach = 1000;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, thread =>
        {
            for (var i = 0; i < linesEach; i++)
            {
                writer.Enqueue($"thread {thread} line {i}\n", toError: false);
            }
        });
        writer.Dispose();

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(threads * linesEach, lines.Length);
        for (var thread = 0; thread < threads; thread++)
        {
            var prefix = $"thread {thread} line ";
            var own = lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => int.Parse(l[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, linesEach), own);
        }
    }

    [Fact]
    public void Lines_at_the_error_threshold_go_to_standard_error()
    {
        var output = new MemoryStream();
        var error = new MemoryStream();
        var writer = new BatchedConsoleWriter(output, error);

        writer.Enqueue("fine\n", toError: false);
        writer.Enqueue("broken\n", toError: true);
        writer.Dispose();

        Assert.Equal("fine\n", Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal("broken\n", Encoding.UTF8.GetString(error.ToArray()));
    }

    [Fact]
    public void Lines_beyond_the_bound_are_dropped_counted_and_reported()
    {
        var output = new BlockedStream();
        var error = new MemoryStream();
        var writer = new BatchedConsoleWriter(output, error);

        // The first batch blocks in its write; everything after waits in the queue.
        writer.Enqueue("first\n", toError: false);
        Assert.True(output.Writing.Wait(TimeSpan.FromSeconds(10)), "the first batch started writing");
        for (var i = 0; i < BatchedConsoleWriter.MaxQueuedLines + 5; i++)
        {
            writer.Enqueue("waiting\n", toError: false);
        }

        Assert.Equal(5, writer.Dropped);
        output.Release.Set();
        writer.Dispose();

        var written = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(BatchedConsoleWriter.MaxQueuedLines + 1, written.Length);
        Assert.Contains("5 log line(s) dropped", Encoding.UTF8.GetString(error.ToArray()), StringComparison.Ordinal);
    }

    /// <summary>A stream whose first write waits until the test releases it.</summary>
    private sealed class BlockedStream : MemoryStream
    {
        public ManualResetEventSlim Writing { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writing.Set();
            Release.Wait();
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writing.Set();
            Release.Wait();
            base.Write(buffer);
        }
    }
}
