package dev.peregrine.collector.auditd;

import java.util.Map;

/** Linux errno numbers to the names {@code evt.res} uses, as Falco writes them. */
final class Errnos {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(8, "ENOEXEC"),
            Map.entry(9, "EBADF"), Map.entry(10, "ECHILD"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"),
            Map.entry(18, "EXDEV"), Map.entry(19, "ENODEV"), Map.entry(20, "ENOTDIR"), Map.entry(21, "EISDIR"),
            Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"), Map.entry(25, "ENOTTY"),
            Map.entry(26, "ETXTBSY"), Map.entry(27, "EFBIG"), Map.entry(28, "ENOSPC"), Map.entry(29, "ESPIPE"),
            Map.entry(30, "EROFS"), Map.entry(31, "EMLINK"), Map.entry(32, "EPIPE"), Map.entry(36, "ENAMETOOLONG"),
            Map.entry(38, "ENOSYS"), Map.entry(39, "ENOTEMPTY"), Map.entry(40, "ELOOP"), Map.entry(61, "ENODATA"),
            Map.entry(95, "EOPNOTSUPP"), Map.entry(97, "EAFNOSUPPORT"), Map.entry(98, "EADDRINUSE"),
            Map.entry(99, "EADDRNOTAVAIL"), Map.entry(101, "ENETUNREACH"), Map.entry(104, "ECONNRESET"),
            Map.entry(110, "ETIMEDOUT"), Map.entry(111, "ECONNREFUSED"), Map.entry(113, "EHOSTUNREACH"),
            Map.entry(114, "EALREADY"), Map.entry(115, "EINPROGRESS"), Map.entry(122, "EDQUOT"));

    private Errnos() {
    }

    /** The name of errno {@code errno} (positive), or {@code E<n>} for one this table does not know. */
    static String name(final long errno) {
        final String name = errno > Integer.MAX_VALUE ? null : NAMES.get((int) errno);
        return name != null ? name : "E" + errno;
    }
}
