package dev.peregrine.collector.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which fields each input source (spec §2) can fill, so that rule tooling can say which
 * conditions no configured source will ever satisfy.
 *
 * <p>The table is declarative and kept by hand beside the parsers it describes; a field is
 * listed for a source when the source's parser, the derivations of {@link Event.Builder#build()}
 * ({@code evt.failed}, {@code proc.cmdline}, {@code proc.exepath}, {@code fd.directory},
 * {@code fd.filename}), or the process tree (parent and ancestor fields, for every source that
 * carries pids) can set it. "Can" is not "always": auditd fills {@code fd.sip} only for
 * {@code connect}, Falco's output carries only the fields its rule's output names. Names are
 * Falco field names as rules write them, without an index ({@code proc.aname}, not
 * {@code proc.aname[2]}); filter-only fields ({@code fd.ip}, {@code fd.net}, …) are listed
 * where the fields they read are.
 *
 * <p>{@link #NATIVE} NDJSON has no fixed set: its keys are field names, so it provides every
 * field, registered or not (unregistered keys are read as extras).
 */
public final class SourceFields {

    /** Native NDJSON (spec §2.1): every field. */
    public static final String NATIVE = "native";
    /** Agent audit events (spec §2.2). */
    public static final String AGENT = "agent";
    /** Linux audit log (spec §2.3). */
    public static final String AUDITD = "auditd";
    /** Falco JSON alert output (spec §2.4). */
    public static final String FALCO = "falco";
    /** Tetragon JSON export (spec §2.5). */
    public static final String TETRAGON = "tetragon";
    /** The procfs poller. */
    public static final String PROCFS = "procfs";

    // A collector instance or ingest token binds these to every event it receives (spec §2, identity).
    private static final List<String> BOUND_IDENTITY = List.of("agent.id", "agent.session", "sandbox.id");

    // Set by Event.Builder#build() whenever the fields they derive from are present.
    private static final List<String> DERIVED = List.of("evt.failed", "proc.cmdline", "proc.exepath", "fd.directory",
            "fd.filename");

    // Set by the process tree for any source that carries proc.pid (collector.proctree).
    private static final List<String> PROCESS_TREE = List.of("proc.ppid", "proc.pname", "proc.pcmdline", "proc.pexe",
            "proc.pexepath", "proc.aname", "proc.apid", "proc.aexe", "proc.aexepath");

    // Filter-only fields computed from fd.cip/fd.sip at evaluation time.
    private static final List<String> ENDPOINTS = List.of("fd.ip", "fd.net", "fd.snet", "fd.cnet");

    // Namespaces only Peregrine's agent events fill; Falco never outputs them.
    private static final List<String> PEREGRINE_ONLY_PREFIXES = List.of("agent.", "sandbox.", "tool.", "llm.",
            "memory.", "http.", "platform.");

    private static final Map<String, Set<String>> TABLE = table();

    private SourceFields() {
    }

    private static Map<String, Set<String>> table() {
        final Map<String, Set<String>> table = new LinkedHashMap<>();
        table.put(AGENT, fields(List.of("evt.time", "evt.source", "evt.type", "evt.res", "evt.failed", "agent.id",
                "agent.session", "sandbox.id", "user.name", "host.name",
                "tool.name", "tool.action", "tool.resource", "tool.outcome", "tool.reason",
                "llm.model", "llm.tokens.in", "llm.tokens.out", "llm.latency_ms",
                "memory.namespace", "memory.key", "memory.content", "memory.sha256", "memory.size",
                "http.method", "http.url", "http.status", "http.bytes_out",
                "platform.op", "platform.outcome", "platform.remote_addr")));
        table.put(AUDITD, fields(List.of("evt.time", "evt.source", "evt.type", "evt.res", "evt.rawres",
                "evt.arg.flags", "evt.arg.oldpath", "evt.arg.newpath", "evt.arg.request", "evt.is_open_read",
                "evt.is_open_write", "fd.name", "fd.nameraw", "fd.num", "fd.type", "fd.typechar", "fd.sip",
                "fd.sport", "fd.rip", "fd.rport", "host.name", "proc.pid", "proc.ppid", "proc.name", "proc.exe",
                "proc.args", "proc.cwd", "proc.tty", "user.uid", "user.name", "user.loginuid"),
                BOUND_IDENTITY, DERIVED, PROCESS_TREE, ENDPOINTS));
        table.put(TETRAGON, fields(List.of("evt.time", "evt.source", "evt.type", "evt.res", "fd.name", "fd.type",
                "fd.typechar", "fd.l4proto", "fd.cip", "fd.cport", "fd.sip", "fd.sport", "fd.lip", "fd.lport",
                "fd.rip", "fd.rport", "host.name", "proc.pid", "proc.ppid", "proc.name", "proc.exe", "proc.args",
                "proc.cwd", "proc.pname", "proc.pcmdline", "proc.pexe", "user.uid", "user.loginuid",
                "container.id", "container.name", "container.image", "container.image.repository",
                "container.privileged"), BOUND_IDENTITY, DERIVED, PROCESS_TREE, ENDPOINTS));
        table.put(PROCFS, fields(List.of("evt.time", "evt.source", "evt.type", "evt.res", "host.name", "proc.pid",
                "proc.ppid", "proc.name", "proc.exe", "proc.args", "proc.cwd", "proc.pname", "proc.pcmdline",
                "proc.pexe", "user.uid", "user.name"), BOUND_IDENTITY, DERIVED, PROCESS_TREE));
        final List<String> falco = FieldRegistry.standard().fields().stream().map(Field::name)
                .filter(name -> PEREGRINE_ONLY_PREFIXES.stream().noneMatch(name::startsWith)).toList();
        table.put(FALCO, fields(falco, BOUND_IDENTITY, PROCESS_TREE, ENDPOINTS));
        return Collections.unmodifiableMap(table);
    }

    @SafeVarargs
    private static Set<String> fields(final List<String>... groups) {
        final Set<String> names = new TreeSet<>();
        for (final List<String> group : groups) {
            names.addAll(group);
        }
        return Collections.unmodifiableSet(names);
    }

    /** Every source name, {@link #NATIVE} first. */
    public static List<String> sources() {
        return List.of(NATIVE, AGENT, AUDITD, FALCO, TETRAGON, PROCFS);
    }

    /** Whether {@code source} is one of {@link #sources()}. */
    public static boolean isKnown(final String source) {
        return NATIVE.equals(source) || TABLE.containsKey(source);
    }

    /**
     * Whether {@code source} can fill the field {@code name} (written as a rule writes it, an
     * index such as {@code [2]} ignored). {@link #NATIVE} provides every name; an unknown source none.
     */
    public static boolean provides(final String source, final String name) {
        if (NATIVE.equals(source)) {
            return true;
        }
        final Set<String> fields = TABLE.get(source);
        return fields != null && fields.contains(withoutIndex(name));
    }

    /**
     * The fields {@code source} can fill, sorted; for {@link #NATIVE} the registered fields and
     * the process-tree and endpoint fields (it also provides any other name, see {@link #provides}).
     */
    public static Set<String> fieldsOf(final String source) {
        if (NATIVE.equals(source)) {
            final Set<String> all = new TreeSet<>(PROCESS_TREE);
            all.addAll(ENDPOINTS);
            FieldRegistry.standard().fields().forEach(field -> all.add(field.name()));
            return Collections.unmodifiableSet(all);
        }
        final Set<String> fields = TABLE.get(source);
        if (fields == null) {
            throw new IllegalArgumentException("unknown source '" + source + "'; known: " + sources());
        }
        return fields;
    }

    private static String withoutIndex(final String name) {
        final int bracket = name.indexOf('[');
        return bracket < 0 ? name : name.substring(0, bracket);
    }
}
