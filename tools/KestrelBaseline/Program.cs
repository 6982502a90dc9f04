// The Kestrel baseline of tools/bench-server.sh: h2c (HTTP/2 prior knowledge)
// on 127.0.0.1:PORT, answering /bytes/N with N octets, like `h2ref serve`.
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8082;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
var app = builder.Build();
var pattern = new byte[64 * 1024];
for (var i = 0; i < pattern.Length; i++) pattern[i] = (byte)('a' + i % 26);
app.Run(async context =>
{
    var path = context.Request.Path.Value ?? "/";
    if (path.StartsWith("/bytes/", StringComparison.Ordinal) && int.TryParse(path.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = n;
        for (var sent = 0; sent < n; sent += pattern.Length)
            await context.Response.Body.WriteAsync(pattern.AsMemory(0, Math.Min(pattern.Length, n - sent)));
        return;
    }
    context.Response.ContentType = "text/plain";
    await context.Response.WriteAsync("kestrel baseline\n");
});
app.Run();
