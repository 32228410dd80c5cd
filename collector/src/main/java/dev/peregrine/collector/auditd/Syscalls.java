package dev.peregrine.collector.auditd;

import java.util.Map;

/**
 * Syscall numbers to names for the architectures audit logs commonly come from. Deliberately
 * small: the syscalls detection rules are written against, plus the noisy ones seen in real
 * logs; any other number becomes {@code syscall_<n>} rather than a guess.
 */
final class Syscalls {

    /** {@code arch=} values (AUDIT_ARCH_*) to architecture names. */
    private static final Map<String, String> ARCHES = Map.of(
            "c000003e", "x86_64",
            "40000003", "i386",
            "c00000b7", "aarch64",
            "40000028", "arm");

    private static final Map<Integer, String> X86_64 = Map.ofEntries(
            Map.entry(0, "read"), Map.entry(1, "write"), Map.entry(2, "open"), Map.entry(3, "close"),
            Map.entry(4, "stat"), Map.entry(5, "fstat"), Map.entry(6, "lstat"), Map.entry(9, "mmap"),
            Map.entry(10, "mprotect"), Map.entry(13, "rt_sigaction"), Map.entry(14, "rt_sigprocmask"),
            Map.entry(16, "ioctl"), Map.entry(21, "access"), Map.entry(22, "pipe"), Map.entry(23, "select"),
            Map.entry(32, "dup"), Map.entry(33, "dup2"), Map.entry(41, "socket"), Map.entry(42, "connect"),
            Map.entry(43, "accept"), Map.entry(44, "sendto"), Map.entry(45, "recvfrom"), Map.entry(46, "sendmsg"),
            Map.entry(47, "recvmsg"), Map.entry(49, "bind"), Map.entry(50, "listen"), Map.entry(56, "clone"),
            Map.entry(57, "fork"), Map.entry(58, "vfork"), Map.entry(59, "execve"), Map.entry(60, "exit"),
            Map.entry(61, "wait4"), Map.entry(62, "kill"), Map.entry(76, "truncate"), Map.entry(77, "ftruncate"),
            Map.entry(80, "chdir"), Map.entry(82, "rename"), Map.entry(83, "mkdir"), Map.entry(84, "rmdir"),
            Map.entry(85, "creat"), Map.entry(86, "link"), Map.entry(87, "unlink"), Map.entry(88, "symlink"),
            Map.entry(89, "readlink"), Map.entry(90, "chmod"), Map.entry(91, "fchmod"), Map.entry(92, "chown"),
            Map.entry(93, "fchown"), Map.entry(94, "lchown"), Map.entry(101, "ptrace"), Map.entry(105, "setuid"),
            Map.entry(106, "setgid"), Map.entry(113, "setreuid"), Map.entry(114, "setregid"),
            Map.entry(117, "setresuid"), Map.entry(119, "setresgid"), Map.entry(133, "mknod"),
            Map.entry(157, "prctl"), Map.entry(159, "adjtimex"), Map.entry(161, "chroot"),
            Map.entry(164, "settimeofday"), Map.entry(165, "mount"), Map.entry(166, "umount2"),
            Map.entry(169, "reboot"), Map.entry(175, "init_module"), Map.entry(176, "delete_module"),
            Map.entry(200, "tkill"), Map.entry(227, "clock_settime"), Map.entry(228, "clock_gettime"),
            Map.entry(231, "exit_group"), Map.entry(257, "openat"), Map.entry(258, "mkdirat"),
            Map.entry(259, "mknodat"), Map.entry(260, "fchownat"), Map.entry(263, "unlinkat"),
            Map.entry(264, "renameat"), Map.entry(265, "linkat"), Map.entry(266, "symlinkat"),
            Map.entry(268, "fchmodat"), Map.entry(269, "faccessat"), Map.entry(272, "unshare"),
            Map.entry(288, "accept4"), Map.entry(308, "setns"), Map.entry(313, "finit_module"),
            Map.entry(316, "renameat2"), Map.entry(317, "seccomp"), Map.entry(319, "memfd_create"),
            Map.entry(321, "bpf"), Map.entry(322, "execveat"), Map.entry(435, "clone3"), Map.entry(437, "openat2"));

    /** The generic table arm64 uses (include/uapi/asm-generic/unistd.h). */
    private static final Map<Integer, String> AARCH64 = Map.ofEntries(
            Map.entry(34, "mkdirat"), Map.entry(35, "unlinkat"), Map.entry(36, "symlinkat"), Map.entry(37, "linkat"),
            Map.entry(38, "renameat"), Map.entry(40, "mount"), Map.entry(49, "chdir"), Map.entry(53, "fchmodat"),
            Map.entry(54, "fchownat"), Map.entry(56, "openat"), Map.entry(57, "close"), Map.entry(63, "read"),
            Map.entry(64, "write"), Map.entry(93, "exit"), Map.entry(94, "exit_group"), Map.entry(117, "ptrace"),
            Map.entry(129, "kill"), Map.entry(146, "setuid"), Map.entry(198, "socket"), Map.entry(200, "bind"),
            Map.entry(201, "listen"), Map.entry(202, "accept"), Map.entry(203, "connect"), Map.entry(206, "sendto"),
            Map.entry(211, "sendmsg"), Map.entry(220, "clone"), Map.entry(221, "execve"), Map.entry(242, "accept4"),
            Map.entry(273, "finit_module"), Map.entry(276, "renameat2"), Map.entry(281, "execveat"),
            Map.entry(435, "clone3"), Map.entry(437, "openat2"));

    private static final Map<Integer, String> I386 = Map.ofEntries(
            Map.entry(5, "open"), Map.entry(6, "close"), Map.entry(8, "creat"), Map.entry(10, "unlink"),
            Map.entry(11, "execve"), Map.entry(15, "chmod"), Map.entry(23, "setuid"), Map.entry(38, "rename"),
            Map.entry(102, "socketcall"), Map.entry(132, "getpgid"), Map.entry(213, "setuid32"),
            Map.entry(295, "openat"), Map.entry(301, "unlinkat"), Map.entry(306, "fchmodat"),
            Map.entry(358, "execveat"), Map.entry(362, "connect"));

    private Syscalls() {
    }

    /** The architecture name of an {@code arch=} value, or the value itself when unknown. */
    static String arch(final String arch) {
        return arch == null ? null : ARCHES.getOrDefault(arch.toLowerCase(java.util.Locale.ROOT), arch);
    }

    /**
     * The name of syscall {@code syscall} (a number, or already a name as {@code ausearch -i}
     * writes it) on {@code arch}; {@code syscall_<n>} for a number this table does not know.
     * A missing arch is read as x86_64, by far the most common.
     */
    static String name(final String arch, final String syscall) {
        final int number;
        try {
            number = Integer.parseInt(syscall);
        } catch (final NumberFormatException e) {
            return syscall;
        }
        final Map<Integer, String> table = switch (arch == null ? "x86_64" : arch(arch)) {
            case "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            case "i386" -> I386;
            default -> Map.of();
        };
        final String name = table.get(number);
        return name != null ? name : "syscall_" + number;
    }
}
