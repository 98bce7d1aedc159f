using System.Net.Sockets;
using System.Text;

namespace Gatehouse.Server.Tests.Integration.Hardening;

/// <summary>
/// HTTP/1.1 written byte for byte on a socket, for requests HttpClient refuses to send: truncated bodies,
/// lying Content-Length, raw non-UTF-8 bytes, malformed headers.
/// </summary>
public static class RawHttp
{
    /// The status code of the answer, or null when the server closed the connection without one.
    public static async Task<(int? Status, string Response)> SendAsync(int port, byte[] request, bool halfClose = true)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
        var stream = client.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await stream.WriteAsync(request, timeout.Token);
            if (halfClose) client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (IOException) { } // the server may answer and close before it has read everything
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0) received.Write(buffer, 0, read);
        }
        catch (IOException) { }
        catch (OperationCanceledException) { }
        var text = Encoding.Latin1.GetString(received.ToArray());
        int? status = text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12 && int.TryParse(text.AsSpan(9, 3), out var code)
            ? code
            : null;
        return (status, text);
    }

    /// A request line, headers (Host and Connection: close added) and body; Content-Length from the body unless a header gives it.
    public static byte[] Build(HttpMethod method, string path, IEnumerable<string> headers, byte[]? body)
    {
        var head = new StringBuilder();
        head.Append(method.Method).Append(' ').Append(path).Append(" HTTP/1.1\r\n");
        head.Append("Host: 127.0.0.1\r\nConnection: close\r\n");
        var list = headers.ToList();
        foreach (var header in list) head.Append(header).Append("\r\n");
        if (body is not null && !list.Any(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) ||
                                               h.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase)))
            head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        head.Append("\r\n");
        var bytes = Encoding.Latin1.GetBytes(head.ToString());
        return body is null ? bytes : [.. bytes, .. body];
    }
}
