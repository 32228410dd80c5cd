package dev.peregrine.app;

import dev.peregrine.collector.adapters.JsonTree;
import dev.peregrine.collector.adapters.PayloadException;
import dev.peregrine.collector.adapters.claudecode.ClaudeCodeHookAdapter;
import dev.peregrine.collector.event.Timestamps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code peregrine hook}: a Claude Code hook command. Reads one hook payload on stdin and
 * forwards it to a running Peregrine ({@code POST /v1/hooks/claude-code}), stamped with the time
 * the hook fired.
 *
 * <p>It never holds up the agent: it always exits 0, prints nothing on stdout (Claude Code reads a
 * hook's stdout), and waits at most the connect and read timeouts. With {@code --gate} (off by
 * default) it first asks Peregrine's {@link ClaudeCodeGate} about a {@code PreToolUse} payload and,
 * when Peregrine denies it, prints Claude Code's deny decision on stdout; any failure allows. When Peregrine cannot take the
 * payload (down, 429, 5xx, a token it does not know) the payload is appended to a local spool file,
 * and the next invocation that reaches Peregrine sends the spool first, in order, in the same
 * request; so nothing is lost, only delayed. Answers that mean Peregrine has kept the payload (2xx,
 * and 400/403/413, whose records it dead-letters) end its journey. Concurrent hooks take turns on
 * the spool through a lock file beside it.
 *
 * <p>{@code bin/peregrine-hook} (printed by {@code --print-script}, written by {@code --install DIR}) is the
 * same hook as a POSIX sh script around curl, without a JVM start; the contract both keep, and where they
 * differ, is in docs/integrations.md ("The hook contract").
 */
@Command(name = "hook", mixinStandardHelpOptions = true,
        description = {"Forwards one Claude Code hook payload (JSON on stdin) to a running Peregrine.",
                "Always exits 0 and prints nothing on stdout (but a --gate deny); when Peregrine is unreachable the payload is",
                "spooled and sent ahead of the next one. Install it in Claude Code's settings.json (docs/integrations.md).",
                "--print-script / --install DIR give the same hook as a sh script (curl, no JVM start).",
                "--gate (off by default) prints Claude Code's deny decision for a PreToolUse call Peregrine judges Critical."})
public final class HookCommand implements Callable<Integer> {

    /** Where Peregrine listens when neither {@code --url} nor {@code PEREGRINE_URL} says. */
    static final String DEFAULT_URL = "http://127.0.0.1:" + RunCommand.DEFAULT_HTTP_PORT;

    /** Largest payload forwarded: below the ingest server's 8 MiB body limit, with room for the spool. */
    static final int MAX_PAYLOAD_BYTES = 4 << 20;

    /** Largest request body of spooled payloads sent at once; the rest waits for the next invocation. */
    static final int MAX_DRAIN_BYTES = 4 << 20;

    /** The sh hook's name, as a resource beside this class and as the file {@code --install} writes. */
    static final String SCRIPT = "peregrine-hook";

    @Option(names = "--url", paramLabel = "URL",
            description = "Peregrine's HTTP endpoint. Default: $PEREGRINE_URL, else " + DEFAULT_URL + ".")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Ingest token. Default: $PEREGRINE_TOKEN.")
    String token;

    @Option(names = "--spool", paramLabel = "FILE",
            description = "Where payloads wait while Peregrine is unreachable. Default: $PEREGRINE_HOOK_SPOOL, "
                    + "else ~/.peregrine/hook-spool.ndjson.")
    Path spool;

    @Option(names = "--ca-file", paramLabel = "FILE",
            description = "PEM certificate(s) to trust for an https:// URL, e.g. Peregrine's self-signed one. Default: "
                    + "$PEREGRINE_CA_FILE, else the JVM's trusted CAs.")
    Path caFile;

    @Option(names = "--connect-timeout", paramLabel = "MS", defaultValue = "200",
            description = "Connect timeout in milliseconds (default: ${DEFAULT-VALUE}).")
    int connectTimeoutMillis;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "800",
            description = "Read timeout in milliseconds (default: ${DEFAULT-VALUE}).")
    int readTimeoutMillis;

    @Option(names = "--gate",
            description = {"Block PreToolUse calls Peregrine judges Critical: ask it first (POST " + ClaudeCodeGate.PATH
                    + ") and print Claude Code's deny decision on stdout when it says deny.",
                    "When Peregrine is down, slow or refuses the question, the tool call is allowed."})
    boolean gate;

    @Option(names = "--gate-timeout", paramLabel = "MS", defaultValue = "1500",
            description = "How long --gate waits for the verdict, in milliseconds (default: ${DEFAULT-VALUE}); "
                    + "then it allows.")
    int gateTimeoutMillis;

    @Option(names = "--print-script",
            description = "Print the hook as a POSIX sh script (curl, no JVM start; same contract) on stdout and exit.")
    boolean printScript;

    @Option(names = "--install", paramLabel = "DIR",
            description = "Write that script to DIR/" + SCRIPT + ", executable, and exit; then use it as the hook command.")
    Path installDir;

    @Spec
    CommandSpec spec;

    /** The payload's source; stdin unless a test says otherwise. */
    InputStream stdin = System.in;

    /** The environment variables read for defaults. */
    Map<String, String> environment = System.getenv();

    /** The hook fires at this clock's time. */
    Clock clock = Clock.systemUTC();

    /** Runs the hook alone, without the rest of the CLI: {@code java -cp peregrine.jar dev.peregrine.app.HookCommand}. */
    public static void main(final String[] args) {
        System.exit(new CommandLine(new HookCommand()).execute(args));
    }

    @Override
    public Integer call() {
        final PrintWriter err = spec.commandLine().getErr();
        if (printScript || installDir != null) {
            return script(err);
        }
        try {
            final String line = stamp(stdin.readNBytes(MAX_PAYLOAD_BYTES + 1));
            if (line == null) {
                err.println("peregrine hook: no payload on stdin; nothing sent");
                return ExitCode.OK;
            }
            if (line.length() > MAX_PAYLOAD_BYTES) {
                err.println("peregrine hook: the payload is over " + MAX_PAYLOAD_BYTES + " bytes; nothing sent");
                return ExitCode.OK;
            }
            if (gate) {
                gate(line, err);
            }
            forward(line, err);
        } catch (final IOException | RuntimeException e) {
            // Whatever went wrong, the agent goes on: a hook that fails must not stop its work.
            err.println("peregrine hook: " + e);
        }
        return ExitCode.OK;
    }

    /** {@code --print-script} and {@code --install}: commands a person runs, so unlike the hook they fail loudly. */
    private int script(final PrintWriter err) {
        try {
            final byte[] script = script();
            if (printScript) {
                final PrintWriter out = spec.commandLine().getOut();
                out.print(new String(script, StandardCharsets.UTF_8));
                out.flush();
            }
            if (installDir != null) {
                Files.createDirectories(installDir);
                final Path target = installDir.resolve(SCRIPT);
                final Path temporary = installDir.resolve(SCRIPT + ".tmp");
                Files.write(temporary, script);
                try {
                    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxr-xr-x"));
                } catch (final UnsupportedOperationException e) {
                    // Not a POSIX file system: there is no mode to set, and no sh to run it either.
                }
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                err.println("peregrine hook: installed " + target.toAbsolutePath()
                        + "; use it as the hook command in Claude Code's settings.json (docs/integrations.md)");
            }
            return ExitCode.OK;
        } catch (final IOException e) {
            err.println("peregrine hook: cannot install the script in " + installDir + ": " + e.getMessage());
            return ExitCode.USAGE;
        }
    }

    /** The sh hook's bytes, from the jar (the same file as the repository's {@code bin/peregrine-hook}). */
    static byte[] script() throws IOException {
        try (InputStream in = HookCommand.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IOException("resource " + SCRIPT + " is missing from the jar");
            }
            return in.readAllBytes();
        }
    }

    /**
     * The payload as one NDJSON line with {@value ClaudeCodeHookAdapter#TIME_KEY} set (when it is
     * a JSON object without one), or {@code null} when stdin was blank. Input that is not JSON is
     * forwarded as it is, on one line, for Peregrine to reject and keep.
     */
    String stamp(final byte[] input) {
        final String text = new String(input, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return null;
        }
        try {
            final Map<String, Object> payload = JsonTree.object(JsonTree.parse(input, input.length));
            if (payload != null) {
                if (!payload.containsKey(ClaudeCodeHookAdapter.TIME_KEY)) {
                    final Map<String, Object> stamped = new LinkedHashMap<>();
                    stamped.put(ClaudeCodeHookAdapter.TIME_KEY, Timestamps.formatRfc3339(
                            Math.multiplyExact(clock.millis(), 1_000_000L)));
                    stamped.putAll(payload);
                    return JsonTree.write(stamped);
                }
                return JsonTree.write(payload);
            }
        } catch (final PayloadException e) {
            // Not JSON: Peregrine rejects it with the reason and keeps it in its dead-letter file.
        }
        return text.strip().replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * {@code --gate}: asks Peregrine for a verdict on a {@code PreToolUse} payload and, on a deny,
     * prints Claude Code's decision JSON on stdout. Every failure allows: a monitor that is down
     * must not stop the agent.
     */
    private void gate(final String line, final PrintWriter err) {
        final Map<String, Object> payload;
        try {
            final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            payload = JsonTree.object(JsonTree.parse(bytes, bytes.length));
        } catch (final PayloadException e) {
            return; // not JSON: nothing to judge, and forward() has Peregrine keep it
        }
        if (payload == null || !"PreToolUse".equals(payload.get("hook_event_name"))) {
            return;
        }
        final String endpoint = base() + ClaudeCodeGate.PATH;
        final HttpURLConnection connection;
        try {
            connection = open(endpoint);
        } catch (final IOException | IllegalArgumentException e) {
            err.println("peregrine hook: gate: cannot reach " + endpoint + ": " + e.getMessage() + "; allowed");
            return;
        }
        try {
            final byte[] body = line.getBytes(StandardCharsets.UTF_8);
            connection.setConnectTimeout(Math.min(connectTimeoutMillis, gateTimeoutMillis));
            connection.setReadTimeout(gateTimeoutMillis);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            connection.setRequestProperty("Content-Type", "application/json");
            final String bearer = token();
            if (bearer != null) {
                connection.setRequestProperty("Authorization", "Bearer " + bearer);
            }
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            final int status = connection.getResponseCode();
            final String answer = readAnswer(connection, status);
            if (status != 200) {
                err.println("peregrine hook: gate: " + endpoint + " answered " + status + " " + answer + "; allowed");
                return;
            }
            final byte[] answerBytes = answer.getBytes(StandardCharsets.UTF_8);
            final Map<String, Object> verdict = JsonTree.object(JsonTree.parse(answerBytes, answerBytes.length));
            if (verdict != null && "deny".equals(verdict.get("decision"))) {
                final PrintWriter out = spec.commandLine().getOut();
                out.println(denial(verdict));
                out.flush();
            }
        } catch (final IOException | PayloadException | RuntimeException e) {
            err.println("peregrine hook: gate: no verdict from " + endpoint + " (" + e + "); allowed");
        } finally {
            connection.disconnect();
        }
    }

    /** Claude Code's {@code PreToolUse} deny decision for a Peregrine verdict. */
    static String denial(final Map<String, Object> verdict) {
        final Map<String, Object> decision = new LinkedHashMap<>();
        decision.put("hookEventName", "PreToolUse");
        decision.put("permissionDecision", "deny");
        final String reason = JsonTree.text(verdict.get("reason"));
        decision.put("permissionDecisionReason", "Blocked by Peregrine (" + JsonTree.text(verdict.get("priority"))
                + " rule " + JsonTree.text(verdict.get("rule_id")) + ")" + (reason == null ? "" : ": " + reason));
        final Map<String, Object> output = new LinkedHashMap<>();
        output.put("hookSpecificOutput", decision);
        return JsonTree.write(output);
    }

    private void forward(final String line, final PrintWriter err) throws IOException {
        final Path spoolFile = spoolFile();
        Files.createDirectories(spoolFile.toAbsolutePath().getParent());
        final Path lockFile = spoolFile.resolveSibling(spoolFile.getFileName() + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            final List<String> spooled = Files.exists(spoolFile)
                    ? Files.readAllLines(spoolFile, StandardCharsets.UTF_8) : List.of();
            final List<String> pending = new ArrayList<>();
            for (final String waiting : spooled) {
                if (!waiting.isBlank()) {
                    pending.add(waiting);
                }
            }
            pending.add(line);
            // Oldest first, as many as fit one request: the order the hooks fired in is kept.
            int batch = 0;
            long bytes = 0;
            while (batch < pending.size() && (batch == 0 || bytes + pending.get(batch).length() + 1 <= MAX_DRAIN_BYTES)) {
                bytes += pending.get(batch).length() + 1;
                batch++;
            }
            final Delivery delivery = post(pending.subList(0, batch));
            if (delivery.kept()) {
                if (delivery.status() >= 400) {
                    err.println("peregrine hook: Peregrine refused the payload (" + delivery.status()
                            + ") and kept it in its dead-letter file: " + delivery.detail());
                }
                rewrite(spoolFile, pending.subList(batch, pending.size()));
            } else {
                err.println("peregrine hook: " + delivery.detail() + "; spooled to " + spoolFile);
                append(spoolFile, line);
            }
        }
    }

    /** What came of one POST. */
    private record Delivery(int status, boolean kept, String detail) {
    }

    private Delivery post(final List<String> lines) {
        final String endpoint = endpoint();
        final byte[] body = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        HttpURLConnection connection = null;
        try {
            connection = open(endpoint);
            connection.setConnectTimeout(connectTimeoutMillis);
            connection.setReadTimeout(readTimeoutMillis);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            connection.setRequestProperty("Content-Type", "application/x-ndjson");
            final String bearer = token();
            if (bearer != null) {
                connection.setRequestProperty("Authorization", "Bearer " + bearer);
            }
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            final int status = connection.getResponseCode();
            final String answer = readAnswer(connection, status);
            // 2xx: taken. 400, 403, 413: refused but dead-lettered by Peregrine; sending again changes nothing.
            final boolean kept = status / 100 == 2 || status == 400 || status == 403 || status == 413;
            return new Delivery(status, kept, endpoint + " answered " + status + " " + answer);
        } catch (final IOException | IllegalArgumentException e) {
            return new Delivery(0, false, "cannot reach " + endpoint + ": " + e.getMessage());
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static String readAnswer(final HttpURLConnection connection, final int status) throws IOException {
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            if (in == null) {
                return "";
            }
            final ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8).strip();
        }
    }

    private static void append(final Path spoolFile, final String line) throws IOException {
        Files.writeString(spoolFile, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Replaces the spool with {@code lines} (deleting it when none), through a rename so a crash leaves the old or the new file. */
    private static void rewrite(final Path spoolFile, final List<String> lines) throws IOException {
        if (lines.isEmpty()) {
            Files.deleteIfExists(spoolFile);
            return;
        }
        final Path temporary = spoolFile.resolveSibling(spoolFile.getFileName() + ".tmp");
        Files.write(temporary, lines, StandardCharsets.UTF_8);
        Files.move(temporary, spoolFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A connection to {@code endpoint}; an https one trusts the --ca-file (or PEREGRINE_CA_FILE) when given. */
    private HttpURLConnection open(final String endpoint) throws IOException {
        final HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint).toURL().openConnection();
        final String configured = caFile != null ? caFile.toString() : environment.get("PEREGRINE_CA_FILE");
        if (connection instanceof HttpsURLConnection https && configured != null && !configured.isBlank()) {
            https.setSSLSocketFactory(trusting(Path.of(configured)));
        }
        return connection;
    }

    /** A socket factory trusting the certificates of a PEM file, as {@code curl --cacert} does. */
    private static SSLSocketFactory trusting(final Path caFile) throws IOException {
        try (InputStream in = Files.newInputStream(caFile)) {
            final KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int index = 0;
            for (final Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + index++, certificate);
            }
            final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (final GeneralSecurityException e) {
            throw new IOException("CA file " + caFile + " is not usable: " + e.getMessage(), e);
        }
    }

    private String endpoint() {
        return base() + ClaudeCodeHookAdapter.PATH;
    }

    private String base() {
        String base = url != null ? url : environment.getOrDefault("PEREGRINE_URL", DEFAULT_URL);
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base;
    }

    private String token() {
        final String value = token != null ? token : environment.get("PEREGRINE_TOKEN");
        return value == null || value.isBlank() ? null : value.strip();
    }

    private Path spoolFile() {
        if (spool != null) {
            return spool;
        }
        final String configured = environment.get("PEREGRINE_HOOK_SPOOL");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".peregrine", "hook-spool.ndjson");
    }
}
