package dev.peregrine.collector.auditd;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
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
 * {@code exe} → {@code proc.exe}. Extras: {@code audit.key} (the rule key; several keys are
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
 * sockaddr does not say TCP or UDP.
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

        if (FILE_SYSCALLS.contains(name)) {
            final String path = pathName(records);
            if (path != null) {
                event.set(StandardFields.FD_NAME, resolve(cwd, path));
            }
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
                }
            }
            case 10 -> {
                if (saddr.length >= 24) {
                    final String ip = ipv6(saddr, 8);
                    server(ip, "[" + ip + "]", port(saddr), event);
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
