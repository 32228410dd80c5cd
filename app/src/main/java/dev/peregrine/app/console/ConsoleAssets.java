package dev.peregrine.app.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The console's static files from the jar ({@code console/} on the classpath): {@code /} is its
 * page, {@code /console/<file>} its script and style. No token needed: they hold no data, and
 * the page asks for the token itself. Any other path is a JSON 404.
 */
final class ConsoleAssets {

    private static final String PREFIX = "/console/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    /** Adds {@code /} and {@code /console/} to {@code server}. */
    void mount(final HttpServer server) {
        server.createContext("/", this::serve);
        server.createContext(PREFIX, this::serve);
    }

    private void serve(final HttpExchange exchange) throws IOException {
        try (exchange) {
            final String path = exchange.getRequestURI().getPath();
            final String name;
            if (path.equals("/") || path.equals("/console") || path.equals(PREFIX)) {
                name = "index.html";
            } else if (path.startsWith(PREFIX) && NAME.matcher(path.substring(PREFIX.length())).matches()
                    && !path.contains("..")) {
                name = path.substring(PREFIX.length());
            } else {
                send(exchange, 404, "application/json", "{\"error\":\"not_found\",\"message\":\"no such path\"}"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                send(exchange, 405, "application/json", "{\"error\":\"method_not_allowed\",\"message\":\"use GET\"}"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            try (InputStream asset = ConsoleAssets.class.getResourceAsStream("/console/" + name)) {
                if (asset == null) {
                    send(exchange, 404, "application/json", "{\"error\":\"not_found\",\"message\":\"no such file\"}"
                            .getBytes(StandardCharsets.UTF_8));
                    return;
                }
                final String extension = name.substring(name.lastIndexOf('.') + 1);
                send(exchange, 200, TYPES.getOrDefault(extension, "application/octet-stream"), asset.readAllBytes());
            }
        }
    }

    private static void send(final HttpExchange exchange, final int status, final String type, final byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        // the page must not be framed or fed scripts from elsewhere: it handles a bearer token
        exchange.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        final boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
