package dev.peregrine.collector.event;

import static dev.peregrine.collector.event.FieldType.BOOL;
import static dev.peregrine.collector.event.FieldType.INT;
import static dev.peregrine.collector.event.FieldType.STRING;
import static dev.peregrine.collector.event.FieldType.TIMESTAMP;

/** The fields of spec §1, as constants for parsers and as the {@link FieldRegistry#standard()}. */
public final class StandardFields {

    private static final FieldRegistry.Builder FIELDS = new FieldRegistry.Builder();

    // evt.*
    public static final Field EVT_TIME = FIELDS.add("evt.time", TIMESTAMP, "when it happened (event time, nanoseconds since the epoch)");
    public static final Field EVT_SOURCE = FIELDS.add("evt.source", STRING, "where the event came from: syscall, auditd, falco, tetragon, procfs, agent");
    public static final Field EVT_TYPE = FIELDS.add("evt.type", STRING, "syscall name (execve, openat, connect, …) or agent event type (tool_call, llm_call, …)");
    public static final Field EVT_RES = FIELDS.add("evt.res", STRING, "SUCCESS or an errno name such as EACCES, EPERM, ENOENT");
    public static final Field EVT_FAILED = FIELDS.add("evt.failed", BOOL, "true when evt.res is not SUCCESS");

    // identity
    public static final Field AGENT_ID = FIELDS.add("agent.id", STRING, "agent identity, e.g. ci-runner");
    public static final Field AGENT_SESSION = FIELDS.add("agent.session", STRING, "agent session id; one session is one sandbox");
    public static final Field SANDBOX_ID = FIELDS.add("sandbox.id", STRING, "sandbox or container id the agent runs in");
    public static final Field USER_NAME = FIELDS.add("user.name", STRING, "OS user (syscall sources) or human principal (agent sources)");
    public static final Field USER_UID = FIELDS.add("user.uid", INT, "numeric OS user id");
    public static final Field HOST_NAME = FIELDS.add("host.name", STRING, "host the event came from");

    // proc.*
    public static final Field PROC_PID = FIELDS.add("proc.pid", INT, "process id");
    public static final Field PROC_PPID = FIELDS.add("proc.ppid", INT, "parent process id");
    public static final Field PROC_NAME = FIELDS.add("proc.name", STRING, "process name (executable base name)");
    public static final Field PROC_EXE = FIELDS.add("proc.exe", STRING, "path of the executable, as given to execve");
    public static final Field PROC_CMDLINE = FIELDS.add("proc.cmdline", STRING, "process name followed by its arguments");
    public static final Field PROC_ARGS = FIELDS.add("proc.args", STRING, "arguments, space-separated, without the process name");
    public static final Field PROC_CWD = FIELDS.add("proc.cwd", STRING, "working directory of the process");
    public static final Field PROC_PNAME = FIELDS.add("proc.pname", STRING, "name of the parent process");
    public static final Field PROC_PCMDLINE = FIELDS.add("proc.pcmdline", STRING, "command line of the parent process");

    // fd.*
    public static final Field FD_NAME = FIELDS.add("fd.name", STRING, "file path, or connection tuple sip:sport->dip:dport");
    public static final Field FD_SIP = FIELDS.add("fd.sip", STRING, "server IP address of a connection");
    public static final Field FD_SPORT = FIELDS.add("fd.sport", INT, "server port of a connection");
    public static final Field FD_L4PROTO = FIELDS.add("fd.l4proto", STRING, "layer-4 protocol of a connection: tcp, udp, …");
    public static final Field FD_SIP_NAME = FIELDS.add("fd.sip.name", STRING, "resolved domain name of the server, when known");

    // container.*
    public static final Field CONTAINER_ID = FIELDS.add("container.id", STRING, "container id");
    public static final Field CONTAINER_NAME = FIELDS.add("container.name", STRING, "container name");
    public static final Field CONTAINER_IMAGE_REPOSITORY = FIELDS.add("container.image.repository", STRING, "container image repository");

    // tool.* (agent tool calls)
    public static final Field TOOL_NAME = FIELDS.add("tool.name", STRING, "tool the agent called, e.g. github, shell");
    public static final Field TOOL_ACTION = FIELDS.add("tool.action", STRING, "action within the tool, e.g. git:push");
    public static final Field TOOL_RESOURCE = FIELDS.add("tool.resource", STRING, "resource the action targets");
    public static final Field TOOL_OUTCOME = FIELDS.add("tool.outcome", STRING, "allowed, denied, approval_required, approved, rejected or error");
    public static final Field TOOL_REASON = FIELDS.add("tool.reason", STRING, "why the permission system decided as it did");

    // llm.*
    public static final Field LLM_MODEL = FIELDS.add("llm.model", STRING, "model name of an LLM API call");
    public static final Field LLM_TOKENS_IN = FIELDS.add("llm.tokens.in", INT, "prompt tokens of an LLM API call");
    public static final Field LLM_TOKENS_OUT = FIELDS.add("llm.tokens.out", INT, "completion tokens of an LLM API call");
    public static final Field LLM_LATENCY_MS = FIELDS.add("llm.latency_ms", INT, "latency of an LLM API call in milliseconds");

    // memory.*
    public static final Field MEMORY_NAMESPACE = FIELDS.add("memory.namespace", STRING, "namespace of an LLM-memory entry");
    public static final Field MEMORY_KEY = FIELDS.add("memory.key", STRING, "key of an LLM-memory entry");
    public static final Field MEMORY_CONTENT = FIELDS.add("memory.content", STRING, "content read or written");
    public static final Field MEMORY_SHA256 = FIELDS.add("memory.sha256", STRING, "SHA-256 of the content, hex");
    public static final Field MEMORY_SIZE = FIELDS.add("memory.size", INT, "size of the content in bytes");

    // http.*
    public static final Field HTTP_METHOD = FIELDS.add("http.method", STRING, "HTTP method of an egress request");
    public static final Field HTTP_URL = FIELDS.add("http.url", STRING, "URL of an egress request");
    public static final Field HTTP_STATUS = FIELDS.add("http.status", INT, "HTTP status of the response");
    public static final Field HTTP_BYTES_OUT = FIELDS.add("http.bytes_out", INT, "bytes sent in the request body");

    // platform.*
    public static final Field PLATFORM_OP = FIELDS.add("platform.op", STRING, "operation on the agent platform itself");
    public static final Field PLATFORM_OUTCOME = FIELDS.add("platform.outcome", STRING, "outcome of the platform operation");
    public static final Field PLATFORM_REMOTE_ADDR = FIELDS.add("platform.remote_addr", STRING, "client address of the platform operation");

    // Falco fields added for its upstream rules; appended so that earlier slots keep their numbers.
    public static final Field PROC_EXEPATH = FIELDS.add("proc.exepath", STRING, "full path of the executable, when the source resolves it");
    public static final Field PROC_PEXE = FIELDS.add("proc.pexe", STRING, "path of the parent process's executable");
    public static final Field PROC_PEXEPATH = FIELDS.add("proc.pexepath", STRING, "full path of the parent process's executable");
    public static final Field PROC_TTY = FIELDS.add("proc.tty", INT, "controlling terminal device number, 0 when there is none");
    public static final Field PROC_SID = FIELDS.add("proc.sid", INT, "session id of the process");
    public static final Field PROC_SNAME = FIELDS.add("proc.sname", STRING, "name of the session leader of the process");
    public static final Field PROC_VPID = FIELDS.add("proc.vpid", INT, "process id as seen from its own pid namespace");
    public static final Field USER_LOGINUID = FIELDS.add("user.loginuid", INT, "audit login uid of the user, -1 when unset");
    public static final Field USER_LOGINNAME = FIELDS.add("user.loginname", STRING, "name of the audit login user");
    public static final Field EVT_RAWRES = FIELDS.add("evt.rawres", INT, "raw return value of the syscall, e.g. -13 or a new fd");
    public static final Field EVT_ARG_FLAGS = FIELDS.add("evt.arg.flags", STRING, "flags argument as names joined by |, e.g. O_WRONLY|O_CREAT|O_TRUNC");
    public static final Field EVT_IS_OPEN_READ = FIELDS.add("evt.is_open_read", BOOL, "true for an open that asked for read access");
    public static final Field EVT_IS_OPEN_WRITE = FIELDS.add("evt.is_open_write", BOOL, "true for an open that asked for write access");
    public static final Field FD_NUM = FIELDS.add("fd.num", INT, "file descriptor number; for an open, the new descriptor");
    public static final Field FD_TYPE = FIELDS.add("fd.type", STRING, "kind of descriptor: file, directory, ipv4, ipv6, unix, pipe, …");
    public static final Field FD_TYPECHAR = FIELDS.add("fd.typechar", STRING, "fd.type as one character: f, 4, 6, u, p, …");
    public static final Field FD_DIRECTORY = FIELDS.add("fd.directory", STRING, "for a file, the directory that holds it");
    public static final Field FD_FILENAME = FIELDS.add("fd.filename", STRING, "for a file, its name without the directory");
    public static final Field FD_CIP = FIELDS.add("fd.cip", STRING, "client IP address of a connection");
    public static final Field FD_CPORT = FIELDS.add("fd.cport", INT, "client port of a connection");
    public static final Field FD_LIP = FIELDS.add("fd.lip", STRING, "local IP address of a connection");
    public static final Field FD_LPORT = FIELDS.add("fd.lport", INT, "local port of a connection");
    public static final Field FD_RIP = FIELDS.add("fd.rip", STRING, "remote IP address of a connection");
    public static final Field FD_RPORT = FIELDS.add("fd.rport", INT, "remote port of a connection");
    public static final Field CONTAINER_IMAGE = FIELDS.add("container.image", STRING, "container image reference, with tag or digest");
    public static final Field FD_NAMERAW = FIELDS.add("fd.nameraw", STRING, "file path as the process gave it, before it was made absolute");
    public static final Field EVT_ARG_REQUEST = FIELDS.add("evt.arg.request", STRING, "request of a ptrace call, e.g. PTRACE_ATTACH");
    public static final Field FD_CONNECTED = FIELDS.add("fd.connected", BOOL, "true when the socket is connected");
    public static final Field FD_NAME_CHANGED = FIELDS.add("fd.name_changed", BOOL, "true when this event changed the fd's name, e.g. a sendto to a new address");
    public static final Field EVT_ARG_OLDPATH = FIELDS.add("evt.arg.oldpath", STRING, "for link and rename, the existing path");
    public static final Field EVT_ARG_NEWPATH = FIELDS.add("evt.arg.newpath", STRING, "for link and rename, the path created");
    public static final Field CONTAINER_PRIVILEGED = FIELDS.add("container.privileged", BOOL, "true when the container runs privileged");

    // The last fields Falco's stable rules name. No source fills them yet: rules that use them load,
    // and a condition on an absent field is false, as in Falco.
    public static final Field EVT_NUM = FIELDS.add("evt.num", INT, "sequence number of the event within its source");
    public static final Field EVT_ARGS = FIELDS.add("evt.args", STRING, "all arguments of the event as one text, name=value separated by spaces");
    public static final Field EVT_ARG_TARGET = FIELDS.add("evt.arg.target", STRING, "for symlink, the path the new link points to");
    public static final Field EVT_ARG_LINKPATH = FIELDS.add("evt.arg.linkpath", STRING, "for symlink, the path of the link created");
    public static final Field EVT_ARG_DOMAIN = FIELDS.add("evt.arg.domain", STRING, "for socket, the address family, e.g. AF_INET or AF_NETLINK");
    public static final Field PROC_DURATION = FIELDS.add("proc.duration", INT, "nanoseconds since the process started");
    public static final Field PROC_IS_EXE_UPPER_LAYER = FIELDS.add("proc.is_exe_upper_layer", BOOL, "true when the executable lives in the writable upper layer of an overlay filesystem");
    public static final Field PROC_IS_EXE_FROM_MEMFD = FIELDS.add("proc.is_exe_from_memfd", BOOL, "true when the executable was run from a memfd (fileless execution)");
    public static final Field PROC_EXE_INO_CTIME = FIELDS.add("proc.exe_ino.ctime", TIMESTAMP, "inode change time of the executable");
    public static final Field PROC_EXE_INO_MTIME = FIELDS.add("proc.exe_ino.mtime", TIMESTAMP, "modification time of the executable");
    public static final Field PROC_EXE_INO_CTIME_DURATION_PROC_START = FIELDS.add("proc.exe_ino.ctime_duration_proc_start", INT, "nanoseconds between the executable's inode change and the process start");
    public static final Field CONTAINER_START_TS = FIELDS.add("container.start_ts", TIMESTAMP, "time the container started");

    static final FieldRegistry REGISTRY = FIELDS.build();

    private StandardFields() {
    }
}
