package dev.peregrine.collector.auditd;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Maps the records of one audit event onto the fields of spec §1. {@code evt.source} is
 * {@code auditd}, {@code evt.time} the event id's time, {@code host.name} the {@code node=}.
 *
 * <h2>Which events map</h2>
 * An event with a {@code SYSCALL} record is that syscall; without one, a {@code SECCOMP}
 * record makes {@code evt.type=seccomp} ({@code evt.res=EPERM}), an {@code AVC} record
 * {@code evt.type=avc} ({@code evt.res=EACCES} when denied, {@code SUCCESS} when granted).
 * Every other event (user-space {@code USER_*}/{@code CRED_*}/{@code LOGIN}/{@code SERVICE_*}
 * messages, {@code CONFIG_CHANGE}, records whose {@code SYSCALL} was lost, …) maps to nothing
 * and is counted as skipped by {@link AuditdParser}.
 *
 * <h2>SYSCALL</h2>
 * {@code syscall} → {@code evt.type}: the enriched {@code SYSCALL=} name when present, else the
 * number looked up for {@code arch} in {@link Syscalls} ({@code syscall_<n>} when unknown).
 * {@code success=yes} → {@code SUCCESS}; {@code success=no} → the errno name of the negative
 * {@code exit} ({@code -13} → {@code EACCES}; {@code E<n>} for one not in {@link Errnos}).
 * {@code pid}/{@code ppid} → {@code proc.pid}/{@code proc.ppid}, {@code uid} → {@code user.uid},
 * the enriched {@code UID} name → {@code user.name}, {@code comm} → {@code proc.name},
 * {@code exe} → {@code proc.exe}, {@code auid} → {@code user.loginuid} (-1 when unset, as in
 * Falco), {@code tty} → {@code proc.tty} as a device number ({@code (none)} → 0), a numeric
 * {@code exit} → {@code evt.rawres}. Extras: {@code audit.key} (the rule key; several keys are
 * joined by commas), {@code audit.auid} (login uid, absent when unset), {@code audit.serial},
 * {@code audit.arch}.
 *
 * <h2>Command line</h2>
 * {@code EXECVE} arguments, reassembled from {@code aN} and the {@code aN_len}/{@code aN[i]}
 * chunks of long ones (possibly spread over several EXECVE records), hex decoded: everything
 * after {@code a0} → {@code proc.args}. {@code proc.cmdline} is {@code proc.name} + args as in
 * Falco, not {@code a0} + args. Without EXECVE, the NUL-separated {@code PROCTITLE} gives the
 * args (the kernel cuts it at 128 bytes); the whole title, NULs as spaces, is kept as extra
 * {@code audit.proctitle} either way.
 *
 * <h2>Files and connections</h2>
 * {@code CWD} → {@code proc.cwd}. For file syscalls ({@code open}, {@code openat},
 * {@code unlink}, {@code chmod}, {@code rename}, …) the first {@code PATH} record whose
 * {@code nametype}/{@code objtype} is not {@code PARENT} (else item 0) → {@code fd.name},
 * a relative name resolved against the cwd and normalized. Approximation: a name relative to a
 * directory fd other than the cwd is resolved against the cwd too. For {@code connect},
 * {@code sendto}, {@code sendmsg} the {@code SOCKADDR}: AF_INET/AF_INET6 → {@code fd.sip},
 * {@code fd.sport} and {@code fd.name} = {@code ?->ip:port} (Falco's
 * {@code client->server} tuple; audit does not record the client end, hence {@code ?};
 * IPv6 addresses in brackets, {@code ?->[::1]:22}); AF_UNIX → {@code fd.name} = the socket
 * path ({@code @name} for the abstract namespace). {@code fd.l4proto} stays unset: the
 * sockaddr does not say TCP or UDP. {@code fd.type}/{@code fd.typechar}: {@code file}/{@code f}
 * for a file syscall's path, {@code ipv4}/{@code 4}, {@code ipv6}/{@code 6}, {@code unix}/{@code u}
 * for a sockaddr; the server of a connect is also {@code fd.rip}/{@code fd.rport}.
 *
 * <h2>Open flags</h2>
 * For {@code open}, {@code openat} and {@code creat}: the flags argument ({@code a1}/{@code a2},
 * hex) → {@code evt.arg.flags} ({@code O_WRONLY|O_CREAT|O_TRUNC}; only flags whose value is the
 * same on x86_64 and aarch64 are named), {@code evt.is_open_read}, {@code evt.is_open_write};
 * a successful open's {@code exit} → {@code fd.num}. The path as the process gave it →
 * {@code fd.nameraw}. For {@code ptrace}, {@code a0} → {@code evt.arg.request}
 * ({@code PTRACE_ATTACH}, …). For {@code link}/{@code linkat} and the {@code rename}s, the
 * {@code PATH} items → {@code evt.arg.oldpath} ({@code NORMAL}, for a rename {@code DELETE})
 * and {@code evt.arg.newpath} ({@code CREATE}).
 */
final class AuditEventMapper {

    private static final String SOURCE = "auditd";
    private static final long UNSET_ID = 4294967295L;

    private static final Set<String> FILE_SYSCALLS = Set.of(
            "open", "openat", "openat2", "creat", "truncate", "unlink", "unlinkat", "rename", "renameat",
            "renameat2", "chmod", "fchmodat", "chown", "lchown", "fchownat", "mkdir", "mkdirat", "rmdir",
            "mknod", "mknodat", "link", "linkat", "symlink", "symlinkat", "access", "faccessat", "readlink",
            "stat", "lstat", "chdir", "chroot", "mount", "umount2");
    private static final Set<String> CONNECT_SYSCALLS = Set.of("connect", "sendto", "sendmsg");
    private static final Map<Long, String> PTRACE_REQUESTS = Map.ofEntries(
            Map.entry(0L, "PTRACE_TRACEME"), Map.entry(1L, "PTRACE_PEEKTEXT"), Map.entry(2L, "PTRACE_PEEKDATA"),
            Map.entry(3L, "PTRACE_PEEKUSR"), Map.entry(4L, "PTRACE_POKETEXT"), Map.entry(5L, "PTRACE_POKEDATA"),
            Map.entry(6L, "PTRACE_POKEUSR"), Map.entry(7L, "PTRACE_CONT"), Map.entry(8L, "PTRACE_KILL"),
            Map.entry(9L, "PTRACE_SINGLESTEP"), Map.entry(16L, "PTRACE_ATTACH"), Map.entry(17L, "PTRACE_DETACH"),
            Map.entry(24L, "PTRACE_SYSCALL"), Map.entry(0x4200L, "PTRACE_SETOPTIONS"),
            Map.entry(0x4201L, "PTRACE_GETEVENTMSG"), Map.entry(0x4202L, "PTRACE_GETSIGINFO"),
            Map.entry(0x4203L, "PTRACE_SETSIGINFO"), Map.entry(0x4204L, "PTRACE_GETREGSET"),
            Map.entry(0x4205L, "PTRACE_SETREGSET"), Map.entry(0x4206L, "PTRACE_SEIZE"),
            Map.entry(0x4207L, "PTRACE_INTERRUPT"), Map.entry(0x4208L, "PTRACE_LISTEN"));
    private static final Set<String> LINK_SYSCALLS = Set.of("link", "linkat", "rename", "renameat", "renameat2");
    private static final Set<String> OPEN_SYSCALLS = Set.of("open", "openat", "creat");

    // open(2) flags that have the same value on x86_64 and aarch64; the others are left out rather than guessed.
    private static final int O_ACCMODE = 0x3;
    private static final int O_WRONLY = 0x1;
    private static final int O_RDWR = 0x2;
    private static final int[] FLAG_BITS = {0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000, 0x80000};
    private static final String[] FLAG_NAMES = {"O_CREAT", "O_EXCL", "O_NOCTTY", "O_TRUNC", "O_APPEND", "O_NONBLOCK",
        "O_DSYNC", "O_CLOEXEC"};

    /** The event the records stand for, or {@code null} when they map to nothing. */
    Event map(final List<AuditRecord> records) {
        AuditRecord syscall = null;
        AuditRecord seccomp = null;
        AuditRecord avc = null;
        for (final AuditRecord record : records) {
            switch (record.type()) {
                case "SYSCALL" -> syscall = syscall == null ? record : syscall;
                case "SECCOMP" -> seccomp = seccomp == null ? record : seccomp;
                case "AVC" -> avc = avc == null ? record : avc;
                default -> { }
            }
        }
        if (syscall == null && seccomp == null && avc == null) {
            return null;
        }
        final AuditRecord first = records.get(0);
        final Event.Builder event = Event.builder()
                .time(first.timeNanos())
                .set(StandardFields.EVT_SOURCE, SOURCE)
                .set(StandardFields.HOST_NAME, first.node())
                .extra("audit.serial", first.serial());
        if (syscall != null) {
            mapSyscall(syscall, records, event);
        } else if (seccomp != null) {
            mapSeccomp(seccomp, event);
        } else {
            mapAvc(avc, event);
        }
        return event.build();
    }

    private static void mapSyscall(final AuditRecord syscall, final List<AuditRecord> records,
                                   final Event.Builder event) {
        final String arch = syscall.raw("arch");
        final String name = syscallName(syscall, arch);
        event.set(StandardFields.EVT_TYPE, name);
        if (arch != null) {
            event.extra("audit.arch", syscall.enriched().getOrDefault("ARCH", Syscalls.arch(arch)));
        }
        event.set(StandardFields.EVT_RES, result(syscall));
        if (event.get(StandardFields.EVT_RES) == null && "no".equals(syscall.raw("success"))) {
            event.set(StandardFields.EVT_FAILED, true);
        }
        process(syscall, event);
        event.set(StandardFields.PROC_PPID, syscall.number("ppid"));
        final Long exit = syscall.raw("exit") != null && !syscall.raw("exit").startsWith("E") ? syscall.number("exit") : null;
        event.set(StandardFields.EVT_RAWRES, exit);
        final String key = syscall.text("key");
        if (key != null) {
            // Several rule keys are written as one hex value, separated by \x01.
            event.extra("audit.key", key.replace('\u0001', ','));
        }

        final String cwd = firstText(records, "CWD", "cwd");
        event.set(StandardFields.PROC_CWD, cwd);
        final List<String> args = execveArgs(records);
        final String proctitle = proctitle(records);
        if (proctitle != null) {
            event.extra("audit.proctitle", proctitle.replace('\0', ' ').strip());
        }
        if (args != null) {
            event.set(StandardFields.PROC_ARGS, String.join(" ", args.subList(Math.min(1, args.size()), args.size())));
        } else if (proctitle != null) {
            final int nul = proctitle.indexOf('\0');
            event.set(StandardFields.PROC_ARGS, nul < 0 ? "" : proctitle.substring(nul + 1).replace('\0', ' ').strip());
        }

        if (name == null) {
            return; // a SYSCALL record without its syscall number: no syscall-specific fields to read
        }
        if (FILE_SYSCALLS.contains(name)) {
            final String path = pathName(records);
            if (path != null) {
                event.set(StandardFields.FD_NAME, resolve(cwd, path));
                event.set(StandardFields.FD_NAMERAW, path);
                event.set(StandardFields.FD_TYPE, "file");
                event.set(StandardFields.FD_TYPECHAR, "f");
            }
            if (LINK_SYSCALLS.contains(name)) {
                linkPaths(records, name.startsWith("link") ? "NORMAL" : "DELETE", cwd, event);
            }
            if (OPEN_SYSCALLS.contains(name)) {
                openFlags(syscall, name, event);
                if ("yes".equals(syscall.raw("success")) && exit != null && exit >= 0) {
                    event.set(StandardFields.FD_NUM, exit);
                }
            }
        } else if (name.equals("ptrace")) {
            event.set(StandardFields.EVT_ARG_REQUEST, ptraceRequest(syscall.raw("a0"), arch));
        } else if (CONNECT_SYSCALLS.contains(name)) {
            for (final AuditRecord record : records) {
                if (record.type().equals("SOCKADDR")) {
                    final String raw = record.raw("saddr");
                    final byte[] saddr = raw == null ? null : Hex.decode(raw);
                    if (saddr != null) {
                        socketAddress(saddr, cwd, event);
                    }
                    break;
                }
            }
        }
    }

    /**
     * The open flags (argument {@code a1} of {@code open}, {@code a2} of {@code openat}, in hex;
     * {@code creat} is {@code O_WRONLY|O_CREAT|O_TRUNC}) as {@code evt.arg.flags},
     * {@code evt.is_open_read} and {@code evt.is_open_write}.
     */
    private static void openFlags(final AuditRecord syscall, final String name, final Event.Builder event) {
        final long flags;
        if (name.equals("creat")) {
            flags = O_WRONLY | 0x40 | 0x200;
        } else {
            final String raw = syscall.raw(name.equals("open") ? "a1" : "a2");
            if (raw == null) {
                return;
            }
            try {
                flags = Long.parseUnsignedLong(raw, 16);
            } catch (final NumberFormatException e) {
                return;
            }
        }
        final long mode = flags & O_ACCMODE;
        final StringBuilder text = new StringBuilder(mode == O_WRONLY ? "O_WRONLY" : mode == O_RDWR ? "O_RDWR" : "O_RDONLY");
        for (int i = 0; i < FLAG_BITS.length; i++) {
            if ((flags & FLAG_BITS[i]) != 0) {
                text.append('|').append(FLAG_NAMES[i]);
            }
        }
        event.set(StandardFields.EVT_ARG_FLAGS, text.toString());
        event.set(StandardFields.EVT_IS_OPEN_READ, mode != O_WRONLY);
        event.set(StandardFields.EVT_IS_OPEN_WRITE, mode == O_WRONLY || mode == O_RDWR);
    }

    /**
     * {@code evt.arg.oldpath}/{@code evt.arg.newpath} of a link or rename, from its {@code PATH}
     * records: the old path is the item of nametype {@code NORMAL} (link) or {@code DELETE}
     * (rename), the new one the item of nametype {@code CREATE}.
     */
    private static void linkPaths(final List<AuditRecord> records, final String oldType, final String cwd,
                                  final Event.Builder event) {
        for (final AuditRecord record : records) {
            final String path = record.type().equals("PATH") ? record.text("name") : null;
            if (path == null) {
                continue;
            }
            final String nametype = record.raw("nametype");
            if (oldType.equals(nametype) && !event.has(StandardFields.EVT_ARG_OLDPATH)) {
                event.set(StandardFields.EVT_ARG_OLDPATH, resolve(cwd, path));
            } else if ("CREATE".equals(nametype) && !event.has(StandardFields.EVT_ARG_NEWPATH)) {
                event.set(StandardFields.EVT_ARG_NEWPATH, resolve(cwd, path));
            }
        }
    }

    /**
     * Falco's name of a ptrace request ({@code a0}, hex): the requests numbered alike on every
     * architecture, plus {@code PTRACE_GETREGS}/{@code SETREGS} on x86_64; another number as is.
     */
    static String ptraceRequest(final String a0, final String arch) {
        if (a0 == null) {
            return null;
        }
        final long request;
        try {
            request = Long.parseUnsignedLong(a0, 16);
        } catch (final NumberFormatException e) {
            return null;
        }
        final String named = PTRACE_REQUESTS.get(request);
        if (named != null) {
            return named;
        }
        if ("c000003e".equals(arch) && (request == 12 || request == 13)) {
            return request == 12 ? "PTRACE_GETREGS" : "PTRACE_SETREGS";
        }
        return Long.toString(request);
    }

    private static void mapSeccomp(final AuditRecord seccomp, final Event.Builder event) {
        event.set(StandardFields.EVT_TYPE, "seccomp");
        event.set(StandardFields.EVT_RES, "EPERM");
        process(seccomp, event);
        final String syscall = seccomp.raw("syscall");
        if (syscall != null) {
            event.extra("audit.syscall", Syscalls.name(seccomp.raw("arch"), syscall));
        }
    }

    private static void mapAvc(final AuditRecord avc, final Event.Builder event) {
        event.set(StandardFields.EVT_TYPE, "avc");
        event.set(StandardFields.EVT_RES, avc.line().contains(" granted ") ? "SUCCESS" : "EACCES");
        process(avc, event);
        event.set(StandardFields.FD_NAME, avc.text("path"));
        final String tclass = avc.raw("tclass");
        if (tclass != null) {
            event.extra("audit.tclass", tclass);
        }
    }

    /** The fields every record about a process carries: pid, uid, auid, comm, exe. */
    private static void process(final AuditRecord record, final Event.Builder event) {
        event.set(StandardFields.PROC_PID, record.number("pid"));
        event.set(StandardFields.USER_UID, record.number("uid"));
        event.set(StandardFields.USER_NAME, record.enriched().get("UID"));
        event.set(StandardFields.PROC_NAME, record.text("comm"));
        event.set(StandardFields.PROC_EXE, record.text("exe"));
        final Long auid = record.number("auid");
        if (auid != null && auid != UNSET_ID && auid != -1) {
            event.extra("audit.auid", auid);
        }
        if (auid != null) {
            // Falco's user.loginuid is -1 for a process no login started.
            event.set(StandardFields.USER_LOGINUID, auid == UNSET_ID ? -1L : auid);
        }
        final String tty = record.raw("tty");
        if (tty != null) {
            final Long device = ttyDevice(tty);
            if (device != null) {
                event.set(StandardFields.PROC_TTY, device);
            }
        }
    }

    /**
     * The device number Falco's {@code proc.tty} holds for audit's {@code tty=} name:
     * {@code (none)} is 0, {@code ptsN} is major 136, {@code ttyN} major 4; other names are
     * unknown ({@code null}).
     */
    static Long ttyDevice(final String name) {
        if (name.equals("(none)")) {
            return 0L;
        }
        final int major;
        final String number;
        if (name.startsWith("pts")) {
            major = 136;
            number = name.substring(3);
        } else if (name.startsWith("tty") && name.length() > 3 && Character.isDigit(name.charAt(3))) {
            major = 4;
            number = name.substring(3);
        } else {
            return null;
        }
        try {
            final long index = Long.parseLong(number);
            // The kernel's new_encode_dev; pts numbers past 255 continue in the next majors.
            return (major + index / 256) << 8 | index % 256;
        } catch (final NumberFormatException e) {
            return null;
        }
    }

    private static String syscallName(final AuditRecord syscall, final String arch) {
        final String enriched = syscall.enriched().get("SYSCALL");
        if (enriched != null && !enriched.isEmpty()) {
            return enriched;
        }
        final String number = syscall.raw("syscall");
        return number == null ? null : Syscalls.name(arch, number);
    }

    private static String result(final AuditRecord syscall) {
        final String success = syscall.raw("success");
        if ("yes".equals(success)) {
            return "SUCCESS";
        }
        if (!"no".equals(success)) {
            return null;
        }
        final String exit = syscall.raw("exit");
        if (exit == null) {
            return null;
        }
        if (exit.startsWith("E")) {
            // ausearch -i writes exit=EACCES(Permission denied)
            final int paren = exit.indexOf('(');
            return paren < 0 ? exit : exit.substring(0, paren);
        }
        final Long code = syscall.number("exit");
        return code == null || code >= 0 ? null : Errnos.name(-code);
    }

    private static String firstText(final List<AuditRecord> records, final String type, final String key) {
        for (final AuditRecord record : records) {
            if (record.type().equals(type)) {
                return record.text(key);
            }
        }
        return null;
    }

    /** The EXECVE argv, or {@code null} without an EXECVE record. */
    private static List<String> execveArgs(final List<AuditRecord> records) {
        Long argc = null;
        final TreeMap<Integer, ByteArrayOutputStream> args = new TreeMap<>();
        boolean seen = false;
        for (final AuditRecord record : records) {
            if (!record.type().equals("EXECVE")) {
                continue;
            }
            seen = true;
            if (argc == null) {
                argc = record.number("argc");
            }
            record.fields().forEach((key, value) -> {
                final int index = argIndex(key);
                if (index < 0 || key.endsWith("_len")) {
                    return;
                }
                final byte[] bytes = AuditRecord.bytes(value);
                if (bytes != null) {
                    args.computeIfAbsent(index, i -> new ByteArrayOutputStream()).writeBytes(bytes);
                }
            });
        }
        if (!seen) {
            return null;
        }
        final int count = argc != null && argc >= 0 && argc <= 1_000_000
                ? argc.intValue() : args.isEmpty() ? 0 : args.lastKey() + 1;
        final List<String> argv = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            final ByteArrayOutputStream arg = args.get(i);
            argv.add(arg == null ? "" : arg.toString(StandardCharsets.UTF_8));
        }
        return argv;
    }

    /** N of {@code aN}, {@code aN[i]}, {@code aN_len}; -1 for any other key. */
    private static int argIndex(final String key) {
        if (key.length() < 2 || key.charAt(0) != 'a') {
            return -1;
        }
        int i = 1;
        int index = 0;
        while (i < key.length() && key.charAt(i) >= '0' && key.charAt(i) <= '9' && i < 8) {
            index = index * 10 + (key.charAt(i) - '0');
            i++;
        }
        if (i == 1 || (i < key.length() && key.charAt(i) != '[' && key.charAt(i) != '_')) {
            return -1;
        }
        return index;
    }

    private static String proctitle(final List<AuditRecord> records) {
        for (final AuditRecord record : records) {
            if (record.type().equals("PROCTITLE")) {
                return record.text("proctitle");
            }
        }
        return null;
    }

    private static String pathName(final List<AuditRecord> records) {
        String itemZero = null;
        for (final AuditRecord record : records) {
            if (!record.type().equals("PATH")) {
                continue;
            }
            final String name = record.text("name");
            if (name == null) {
                continue;
            }
            String nametype = record.raw("nametype");
            if (nametype == null) {
                nametype = record.raw("objtype");
            }
            if (!"PARENT".equals(nametype)) {
                return name;
            }
            if ("0".equals(record.raw("item")) || itemZero == null) {
                itemZero = name;
            }
        }
        return itemZero;
    }

    private static void socketAddress(final byte[] saddr, final String cwd, final Event.Builder event) {
        if (saddr.length < 2) {
            return;
        }
        // sa_family is in host byte order; the architectures audit logs come from are little-endian.
        final int family = (saddr[0] & 0xFF) | (saddr[1] & 0xFF) << 8;
        switch (family) {
            case 2 -> {
                if (saddr.length >= 8) {
                    final String ip = (saddr[4] & 0xFF) + "." + (saddr[5] & 0xFF) + "." + (saddr[6] & 0xFF)
                            + "." + (saddr[7] & 0xFF);
                    server(ip, ip, port(saddr), event);
                    event.set(StandardFields.FD_TYPE, "ipv4");
                    event.set(StandardFields.FD_TYPECHAR, "4");
                }
            }
            case 10 -> {
                if (saddr.length >= 24) {
                    final String ip = ipv6(saddr, 8);
                    server(ip, "[" + ip + "]", port(saddr), event);
                    event.set(StandardFields.FD_TYPE, "ipv6");
                    event.set(StandardFields.FD_TYPECHAR, "6");
                }
            }
            case 1 -> {
                if (saddr.length > 2) {
                    final boolean abstractName = saddr[2] == 0;
                    final int start = abstractName ? 3 : 2;
                    int end = start;
                    while (end < saddr.length && saddr[end] != 0) {
                        end++;
                    }
                    final String path = new String(saddr, start, end - start, StandardCharsets.UTF_8);
                    if (!path.isEmpty()) {
                        event.set(StandardFields.FD_NAME, abstractName ? "@" + path : resolve(cwd, path));
                        event.set(StandardFields.FD_TYPE, "unix");
                        event.set(StandardFields.FD_TYPECHAR, "u");
                    }
                }
            }
            default -> { }
        }
    }

    private static int port(final byte[] saddr) {
        return (saddr[2] & 0xFF) << 8 | (saddr[3] & 0xFF);
    }

    private static void server(final String ip, final String host, final int port, final Event.Builder event) {
        event.set(StandardFields.FD_SIP, ip);
        event.set(StandardFields.FD_SPORT, (long) port);
        // The auditing process is the client of what it connects to: the server is the remote end.
        event.set(StandardFields.FD_RIP, ip);
        event.set(StandardFields.FD_RPORT, (long) port);
        event.set(StandardFields.FD_NAME, "?->" + host + ":" + port);
    }

    /** RFC 5952 text of the IPv6 address at {@code bytes[off, off+16)}: lower case, longest zero run as {@code ::}. */
    static String ipv6(final byte[] bytes, final int off) {
        final int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[off + 2 * i] & 0xFF) << 8 | (bytes[off + 2 * i + 1] & 0xFF);
        }
        if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
                && groups[5] == 0xFFFF) {
            return "::ffff:" + (bytes[off + 12] & 0xFF) + "." + (bytes[off + 13] & 0xFF) + "."
                    + (bytes[off + 14] & 0xFF) + "." + (bytes[off + 15] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        final StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /** {@code name} made absolute against {@code cwd} when relative, with {@code .}, {@code ..} and {@code //} removed. */
    static String resolve(final String cwd, final String name) {
        final String path;
        if (name.startsWith("/")) {
            path = name;
        } else if (cwd != null && cwd.startsWith("/")) {
            path = cwd + "/" + name;
        } else {
            return name;
        }
        final Deque<String> parts = new ArrayDeque<>();
        for (final String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }
}
