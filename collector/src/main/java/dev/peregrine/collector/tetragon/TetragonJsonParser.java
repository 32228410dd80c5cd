package dev.peregrine.collector.tetragon;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.source.LineParser;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Parses one line of Tetragon's JSON export (spec §2.5) into an {@link Event}.
 *
 * <h2>Event types</h2>
 * {@code process_exec} → {@code evt.type=execve}, {@code evt.res=SUCCESS} (Tetragon reports
 * only execs that happened); {@code process_exit} → {@code procexit}, with {@code status} and
 * {@code signal} as extras {@code tetragon.status}/{@code tetragon.signal};
 * {@code process_kprobe} (and {@code process_lsm}, {@code process_tracepoint},
 * {@code process_uprobe}, read the same way) → the hooked function: {@code fd_install},
 * {@code security_file_open}, {@code do_sys_open}, {@code vfs_open} → {@code openat};
 * {@code tcp_connect}, {@code security_socket_connect} → {@code connect}; a syscall entry
 * ({@code __x64_sys_write}, {@code __arm64_sys_openat}, {@code sys_…}) → the syscall name;
 * anything else → the function name as is. The function is kept as extra
 * {@code tetragon.function}, the policy as {@code tetragon.policy}, the action as
 * {@code tetragon.action}. Other export types ({@code process_loader}, rate-limit notices, …)
 * map to nothing and are counted in {@link #skippedByType()}.
 *
 * <h2>Process</h2>
 * {@code process.binary} → {@code proc.exe}, its base name → {@code proc.name},
 * {@code arguments} → {@code proc.args} ({@code proc.cmdline} = name + args, as in Falco),
 * {@code cwd} → {@code proc.cwd}, {@code pid} → {@code proc.pid}, {@code uid} →
 * {@code user.uid}, {@code auid} → {@code user.loginuid} (-1 when unset); {@code parent.pid}/
 * {@code binary}/{@code arguments} → {@code proc.ppid}, {@code proc.pexe} and {@code proc.pname},
 * {@code proc.pcmdline}. Container: {@code pod.container.id} without its
 * runtime prefix, else {@code docker}, cut to Falco's 12-character short id →
 * {@code container.id}; {@code pod.container.name} → {@code container.name}; the image name
 * → {@code container.image}, without tag or digest → {@code container.image.repository};
 * {@code security_context.privileged} → {@code container.privileged}; {@code pod.namespace} and
 * {@code pod.name} → extras {@code k8s.ns.name}, {@code k8s.pod.name} (Falco's names).
 *
 * <h2>Arguments of kprobes</h2>
 * The first {@code file_arg}/{@code path_arg} path → {@code fd.name} (old Tetragon versions
 * write it without the leading {@code /}; one is added), with {@code fd.type=file},
 * {@code fd.typechar=f}. The first {@code sock_arg} →
 * {@code fd.sip}/{@code fd.sport} (destination), {@code fd.l4proto} and {@code fd.name} as
 * Falco's {@code saddr:sport->daddr:dport}; {@code tcp_connect} is {@code tcp} even without a
 * protocol. The hooked process is the client: {@code saddr}/{@code sport} are also
 * {@code fd.cip}/{@code fd.cport} and {@code fd.lip}/{@code fd.lport}, {@code daddr}/{@code dport}
 * {@code fd.rip}/{@code fd.rport}; {@code fd.type} is {@code ipv4} or {@code ipv6}.
 *
 * <h2>Time, host, rejections</h2>
 * {@code time} → {@code evt.time}; without it, {@code process.start_time} of a
 * {@code process_exec}. {@code node_name} → {@code host.name}. {@code evt.source} is
 * {@code tetragon}. {@link Reason#MALFORMED_JSON} for invalid JSON, {@link Reason#UNKNOWN_FORMAT}
 * for an object with none of Tetragon's event keys, {@link Reason#INVALID_VALUE} for an
 * unparseable time, {@link Reason#MISSING_FIELD} without any time.
 *
 * <p>Streaming Jackson, no intermediate map. Not thread-safe: one parser per source.
 */
public final class TetragonJsonParser implements LineParser {

    private static final String SOURCE = "tetragon";
    private static final int SHORT_CONTAINER_ID = 12;
    private static final long UNSET_ID = 4294967295L;
    private static final Set<String> MAPPED = Set.of(
            "process_exec", "process_exit", "process_kprobe", "process_lsm", "process_tracepoint", "process_uprobe");
    private static final Set<String> OPEN_FUNCTIONS = Set.of("fd_install", "security_file_open", "do_sys_open",
            "do_sys_openat2", "vfs_open");
    private static final Set<String> CONNECT_FUNCTIONS = Set.of("tcp_connect", "security_socket_connect");
    private static final String[] SYSCALL_PREFIXES = {"__x64_sys_", "__arm64_sys_", "__ia32_sys_", "__se_sys_", "sys_"};

    private final JsonFactory json = JsonFactory.builder().disable(JsonFactory.Feature.INTERN_FIELD_NAMES).build();
    private final Map<String, Long> skippedByType = new TreeMap<>();
    private long skipped;

    @Override
    public void parse(final byte[] buf, final int off, final int len, final Consumer<Event> events)
            throws LineRejectedException {
        final Event event = parse(buf, off, len);
        if (event != null) {
            events.accept(event);
        }
    }

    /**
     * Parses the UTF-8 line {@code buf[off, off+len)}; {@code null} for a Tetragon event of a
     * type that maps to nothing (counted as skipped).
     *
     * @throws LineRejectedException when the line cannot become an event, with the reason
     */
    public Event parse(final byte[] buf, final int off, final int len) throws LineRejectedException {
        final Event.Builder event = Event.builder();
        final Scratch scratch = new Scratch();
        String type = null;
        String otherType = null;
        String time = null;
        try (JsonParser parser = json.createParser(buf, off, len)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new LineRejectedException(Reason.MALFORMED_JSON, "expected a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String key = parser.currentName();
                final JsonToken token = parser.nextToken();
                if (MAPPED.contains(key) && token == JsonToken.START_OBJECT && type == null) {
                    type = key;
                    readEvent(parser, key, event, scratch);
                } else if (key.equals("time") && token == JsonToken.VALUE_STRING) {
                    time = parser.getText();
                } else if (key.equals("node_name") && token == JsonToken.VALUE_STRING) {
                    event.set(StandardFields.HOST_NAME, parser.getText());
                } else {
                    if (key.startsWith("process_") && token == JsonToken.START_OBJECT && otherType == null) {
                        otherType = key;
                    }
                    parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                throw new LineRejectedException(Reason.MALFORMED_JSON, "unexpected content after the JSON object");
            }
        } catch (final JsonProcessingException e) {
            throw new LineRejectedException(Reason.MALFORMED_JSON, "invalid JSON: " + e.getOriginalMessage());
        } catch (final IOException e) {
            throw new LineRejectedException(Reason.MALFORMED_JSON, "invalid JSON: " + e.getMessage());
        }
        if (type == null) {
            if (otherType != null) {
                skipped++;
                skippedByType.merge(otherType, 1L, Long::sum);
                return null;
            }
            throw new LineRejectedException(Reason.UNKNOWN_FORMAT,
                    "not a Tetragon event: no 'process_exec', 'process_exit' or 'process_kprobe' object");
        }
        final String eventTime = time != null ? time : type.equals("process_exec") ? scratch.startTime : null;
        if (eventTime == null) {
            throw new LineRejectedException(Reason.MISSING_FIELD, "Tetragon event has no 'time'");
        }
        try {
            event.time(Timestamps.parseRfc3339(eventTime));
        } catch (final IllegalArgumentException e) {
            throw new LineRejectedException(Reason.INVALID_VALUE, "key 'time' (evt.time): " + e.getMessage());
        }
        event.set(StandardFields.EVT_SOURCE, SOURCE);
        switch (type) {
            case "process_exec" -> {
                event.set(StandardFields.EVT_TYPE, "execve");
                event.set(StandardFields.EVT_RES, "SUCCESS");
            }
            case "process_exit" -> event.set(StandardFields.EVT_TYPE, "procexit");
            default -> event.set(StandardFields.EVT_TYPE, scratch.function == null ? type : eventType(scratch.function));
        }
        if (scratch.function != null) {
            event.extra("tetragon.function", scratch.function);
            if (CONNECT_FUNCTIONS.contains(scratch.function) && event.has(StandardFields.FD_SIP)
                    && !event.has(StandardFields.FD_L4PROTO) && scratch.function.startsWith("tcp_")) {
                event.set(StandardFields.FD_L4PROTO, "tcp");
            }
        }
        return event.build();
    }

    /** Events of export types this parser does not map, so far. */
    public long skipped() {
        return skipped;
    }

    /** {@link #skipped()} by export type, sorted. */
    public Map<String, Long> skippedByType() {
        return Collections.unmodifiableMap(skippedByType);
    }

    private static String eventType(final String function) {
        if (OPEN_FUNCTIONS.contains(function)) {
            return "openat";
        }
        if (CONNECT_FUNCTIONS.contains(function)) {
            return "connect";
        }
        for (final String prefix : SYSCALL_PREFIXES) {
            if (function.startsWith(prefix) && function.length() > prefix.length()) {
                return function.substring(prefix.length());
            }
        }
        return function;
    }

    private static void readEvent(final JsonParser parser, final String type, final Event.Builder event,
                                  final Scratch scratch) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String key = parser.currentName();
            final JsonToken token = parser.nextToken();
            switch (key) {
                case "process" -> readProcess(parser, token, event, scratch);
                case "parent" -> readParent(parser, token, event);
                case "function_name", "symbol" -> scratch.function = text(parser, token);
                case "event" -> {
                    if (scratch.function == null) {
                        scratch.function = text(parser, token);
                    }
                }
                case "policy_name" -> extra(event, "tetragon.policy", text(parser, token));
                case "action" -> extra(event, "tetragon.action", text(parser, token));
                case "status" -> {
                    if (type.equals("process_exit") && token == JsonToken.VALUE_NUMBER_INT) {
                        event.extra("tetragon.status", parser.getLongValue());
                    }
                }
                case "signal" -> extra(event, "tetragon.signal", text(parser, token));
                case "args" -> readArgs(parser, token, event);
                default -> parser.skipChildren();
            }
        }
    }

    private static void readProcess(final JsonParser parser, final JsonToken token, final Event.Builder event,
                                    final Scratch scratch) throws IOException {
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        String docker = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String key = parser.currentName();
            final JsonToken value = parser.nextToken();
            switch (key) {
                case "binary" -> {
                    final String binary = text(parser, value);
                    event.set(StandardFields.PROC_EXE, binary);
                    event.set(StandardFields.PROC_NAME, baseName(binary));
                }
                case "arguments" -> event.set(StandardFields.PROC_ARGS, text(parser, value));
                case "cwd" -> event.set(StandardFields.PROC_CWD, text(parser, value));
                case "pid" -> event.set(StandardFields.PROC_PID, number(parser, value));
                case "uid" -> event.set(StandardFields.USER_UID, number(parser, value));
                case "auid" -> {
                    final Long auid = number(parser, value);
                    if (auid != null) {
                        event.set(StandardFields.USER_LOGINUID, auid == UNSET_ID ? -1L : auid);
                    }
                }
                case "start_time" -> scratch.startTime = text(parser, value);
                case "exec_id" -> extra(event, "tetragon.exec_id", text(parser, value));
                case "docker" -> docker = text(parser, value);
                case "pod" -> readPod(parser, value, event);
                default -> parser.skipChildren();
            }
        }
        if (!event.has(StandardFields.CONTAINER_ID) && docker != null && !docker.isEmpty()) {
            event.set(StandardFields.CONTAINER_ID, shortId(docker));
        }
    }

    private static void readParent(final JsonParser parser, final JsonToken token, final Event.Builder event)
            throws IOException {
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        String binary = null;
        String arguments = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String key = parser.currentName();
            final JsonToken value = parser.nextToken();
            switch (key) {
                case "binary" -> binary = text(parser, value);
                case "arguments" -> arguments = text(parser, value);
                case "pid" -> event.set(StandardFields.PROC_PPID, number(parser, value));
                default -> parser.skipChildren();
            }
        }
        if (binary != null) {
            final String name = baseName(binary);
            event.set(StandardFields.PROC_PEXE, binary);
            event.set(StandardFields.PROC_PNAME, name);
            event.set(StandardFields.PROC_PCMDLINE, arguments == null || arguments.isEmpty() ? name : name + " " + arguments);
        }
    }

    private static void readPod(final JsonParser parser, final JsonToken token, final Event.Builder event)
            throws IOException {
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String key = parser.currentName();
            final JsonToken value = parser.nextToken();
            switch (key) {
                case "namespace" -> extra(event, "k8s.ns.name", text(parser, value));
                case "name" -> extra(event, "k8s.pod.name", text(parser, value));
                case "container" -> readContainer(parser, value, event);
                default -> parser.skipChildren();
            }
        }
    }

    private static void readContainer(final JsonParser parser, final JsonToken token, final Event.Builder event)
            throws IOException {
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String key = parser.currentName();
            final JsonToken value = parser.nextToken();
            switch (key) {
                case "id" -> {
                    final String id = text(parser, value);
                    if (id != null && !id.isEmpty()) {
                        event.set(StandardFields.CONTAINER_ID, shortId(id));
                    }
                }
                case "name" -> event.set(StandardFields.CONTAINER_NAME, text(parser, value));
                case "image" -> readImage(parser, value, event);
                case "security_context" -> readSecurityContext(parser, value, event);
                default -> parser.skipChildren();
            }
        }
    }

    private static void readImage(final JsonParser parser, final JsonToken token, final Event.Builder event)
            throws IOException {
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String key = parser.currentName();
            final JsonToken value = parser.nextToken();
            if (key.equals("name")) {
                final String image = text(parser, value);
                if (image != null) {
                    event.set(StandardFields.CONTAINER_IMAGE, image);
                    event.set(StandardFields.CONTAINER_IMAGE_REPOSITORY, repository(image));
                }
            } else {
                parser.skipChildren();
            }
        }
    }

    private static void readSecurityContext(final JsonParser parser, final JsonToken token, final Event.Builder event)
            throws IOException {
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String key = parser.currentName();
            final JsonToken value = parser.nextToken();
            if (key.equals("privileged") && (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE)) {
                event.set(StandardFields.CONTAINER_PRIVILEGED, value == JsonToken.VALUE_TRUE);
            } else {
                parser.skipChildren();
            }
        }
    }

    /** Reads the kprobe's argument list; the first file path and the first socket win. */
    private static void readArgs(final JsonParser parser, final JsonToken token, final Event.Builder event)
            throws IOException {
        if (token != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return;
        }
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY && element != null) {
            if (element != JsonToken.START_OBJECT) {
                parser.skipChildren();
                continue;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String kind = parser.currentName();
                final JsonToken value = parser.nextToken();
                switch (kind) {
                    case "file_arg", "path_arg" -> readPath(parser, value, event);
                    case "sock_arg", "sockaddr_arg" -> readSocket(parser, value, event);
                    default -> parser.skipChildren();
                }
            }
        }
    }

    private static void readPath(final JsonParser parser, final JsonToken token, final Event.Builder event)
            throws IOException {
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String key = parser.currentName();
            final JsonToken value = parser.nextToken();
            if (key.equals("path") && !event.has(StandardFields.FD_NAME)) {
                final String path = text(parser, value);
                if (path != null && !path.isEmpty()) {
                    event.set(StandardFields.FD_NAME, path.startsWith("/") ? path : "/" + path);
                    event.set(StandardFields.FD_TYPE, "file");
                    event.set(StandardFields.FD_TYPECHAR, "f");
                }
            } else {
                parser.skipChildren();
            }
        }
    }

    private static void readSocket(final JsonParser parser, final JsonToken token, final Event.Builder event)
            throws IOException {
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        String saddr = null;
        String daddr = null;
        Long sport = null;
        Long dport = null;
        String protocol = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String key = parser.currentName();
            final JsonToken value = parser.nextToken();
            switch (key) {
                case "saddr" -> saddr = text(parser, value);
                case "daddr" -> daddr = text(parser, value);
                case "sport" -> sport = number(parser, value);
                case "dport" -> dport = number(parser, value);
                case "protocol" -> protocol = text(parser, value);
                default -> parser.skipChildren();
            }
        }
        if (event.has(StandardFields.FD_SIP) || daddr == null) {
            return;
        }
        event.set(StandardFields.FD_SIP, daddr);
        event.set(StandardFields.FD_SPORT, dport);
        // The hooked process connects out: it is the client, local end saddr:sport, remote end daddr:dport.
        event.set(StandardFields.FD_CIP, saddr);
        event.set(StandardFields.FD_CPORT, sport);
        event.set(StandardFields.FD_LIP, saddr);
        event.set(StandardFields.FD_LPORT, sport);
        event.set(StandardFields.FD_RIP, daddr);
        event.set(StandardFields.FD_RPORT, dport);
        final boolean v6 = daddr.indexOf(':') >= 0;
        event.set(StandardFields.FD_TYPE, v6 ? "ipv6" : "ipv4");
        event.set(StandardFields.FD_TYPECHAR, v6 ? "6" : "4");
        if (protocol != null && protocol.startsWith("IPPROTO_")) {
            event.set(StandardFields.FD_L4PROTO, protocol.substring("IPPROTO_".length()).toLowerCase(java.util.Locale.ROOT));
        }
        event.set(StandardFields.FD_NAME, endpoint(saddr, sport) + "->" + endpoint(daddr, dport));
    }

    private static String endpoint(final String address, final Long port) {
        final String host = address == null ? "?" : address.indexOf(':') >= 0 ? "[" + address + "]" : address;
        return host + ":" + (port == null ? "?" : port);
    }

    private static String text(final JsonParser parser, final JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT
                || token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
            return parser.getText();
        }
        parser.skipChildren();
        return null;
    }

    /** An integer given as a number or as a string of digits (Tetragon writes both), else {@code null}. */
    private static Long number(final JsonParser parser, final JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return parser.getLongValue();
        }
        if (token == JsonToken.VALUE_STRING) {
            try {
                return Long.parseLong(parser.getText());
            } catch (final NumberFormatException e) {
                return null;
            }
        }
        parser.skipChildren();
        return null;
    }

    private static void extra(final Event.Builder event, final String key, final String value) {
        if (value != null) {
            event.extra(key, value);
        }
    }

    private static String baseName(final String path) {
        if (path == null) {
            return null;
        }
        final int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** Falco's container id: the first 12 characters of the id, without a {@code runtime://} prefix. */
    static String shortId(final String id) {
        final int scheme = id.indexOf("://");
        final String bare = scheme < 0 ? id : id.substring(scheme + 3);
        return bare.length() <= SHORT_CONTAINER_ID ? bare : bare.substring(0, SHORT_CONTAINER_ID);
    }

    /** The repository of an image reference: without {@code @digest} and without {@code :tag}. */
    static String repository(final String image) {
        final int at = image.indexOf('@');
        final String name = at < 0 ? image : image.substring(0, at);
        final int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }

    /** What the event object gave that is only used once the whole line is read. */
    private static final class Scratch {
        String startTime;
        String function;
    }
}
