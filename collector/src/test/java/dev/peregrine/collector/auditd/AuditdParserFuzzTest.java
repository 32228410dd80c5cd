package dev.peregrine.collector.auditd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.source.FuzzAccount;
import dev.peregrine.collector.source.FuzzInputs;
import dev.peregrine.collector.source.FuzzInputs.Line;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * A stream of {@code audit.log} lines, real ones mutated and records built from audit's
 * vocabulary, through one parser as a followed log would be: every line joins an event or is
 * rejected, never a crash, and what the parser holds stays bounded and is handed over at the end.
 */
class AuditdParserFuzzTest {

    private static final String FIXTURES = "/dev/peregrine/collector/auditd/";
    private static final String[] TYPES = {"SYSCALL", "SYSCALL", "EXECVE", "EXECVE", "CWD", "PATH", "PATH", "PROCTITLE",
        "SOCKADDR", "EOE", "AVC", "SECCOMP", "USER_CMD", "CRED_DISP", "CONFIG_CHANGE", "UNKNOWN[1329]", "LOGIN"};
    private static final String[] KEYS = {"arch", "syscall", "success", "exit", "a0", "a1", "a2", "a3", "items", "ppid",
        "pid", "auid", "uid", "gid", "ses", "tty", "comm", "exe", "key", "argc", "a0_len", "a1_len", "a1[0]", "a1[1]",
        "a12345678", "a", "cwd", "item", "name", "nametype", "objtype", "proctitle", "saddr", "path", "tclass", "op",
        "res", "msg"};
    private static final String[] ENRICHED_KEYS = {"ARCH", "SYSCALL", "UID", "AUID", "EXIT", "OUID"};
    private static final String[] ARCHES = {"c000003e", "c00000b7", "40000003", "zz", "ffffffffffffffffff", ""};
    private static final String[] WORDS = {"yes", "no", "(null)", "(none)", "?", "-13", "-2", "-115", "EACCES(Permission denied)",
        "E", "0", "59", "257", "42", "-1", "4294967295", "pts0", "pts999999999999", "tty7", "NORMAL", "PARENT", "CREATE",
        "DELETE", "avc:", "denied", "granted", "{", "read", "}", "for"};
    private static final String[] SOCKADDRS = {"02000050A9FEA9FE0000000000000000", "0A000016000000000000000000000000000000000000000100000000",
        "01002F746D702F736F636B", "0100006162737472616374", "02", "0A00", "0100", "FFFF"};

    private final AuditdParser parser = new AuditdParser();
    private final FuzzAccount account = new FuzzAccount("auditd");

    @Property(tries = FuzzInputs.TRIES, shrinking = ShrinkingMode.BOUNDED)
    void everyLineJoinsAnEventOrIsRejected(@ForAll("auditLines") final List<Line> lines) {
        account.forEach(lines, line -> {
            account.feed(parser::parse, line);
            if (parser.pendingEvents() > AuditdParser.DEFAULT_FLUSH_AFTER + 1) {
                throw new AssertionError(parser.pendingEvents() + " events held after " + line);
            }
        });
    }

    @AfterProperty
    void everyInputIsBookedAndNothingIsLeftHeld() {
        final List<Event> held = new ArrayList<>();
        parser.finish(held::add);
        account.events(held);
        System.out.println(account + ", " + parser.skipped() + " events skipped " + parser.skippedByType());
        assertThat(parser.pendingEvents()).isZero();
        account.assertBalanced(FuzzInputs.INPUTS_PER_PARSER);
        // An event needs at least one accepted line; skipped events are counted, not lost.
        assertThat(account.events() + parser.skipped()).isPositive().isLessThanOrEqualTo(account.accepted());
        assertThat(parser.skippedByType().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(parser.skipped());
    }

    @Provide
    Arbitrary<List<Line>> auditLines() {
        final List<byte[]> seeds = new ArrayList<>();
        for (final String log : List.of("testdata_normal.log", "auparse_testdata_test2.log", "auparse_testdata_test3.log",
                "auparse_testdata_audit-rhel7.log")) {
            seeds.addAll(FuzzInputs.resourceLines(FIXTURES + log));
        }
        seeds.addAll(FuzzInputs.yamlRecordLines(FIXTURES + "aucoalesce_testdata_rhel-7-linux-3.10.0.yaml"));
        seeds.addAll(FuzzInputs.yamlRecordLines(FIXTURES + "aucoalesce_testdata_ubuntu-24.04-linux-6.8.0.yaml"));
        return FuzzInputs.batches(seeds, AuditdParserFuzzTest::record);
    }

    /**
     * A record of a few dozen events' ids (so that records join, interleave and complete), of a
     * type audit writes, with keys audit uses and values quoted, hex, numeric or odd; sometimes
     * with a {@code node=} prefix and enriched names after {@code \x1d}.
     */
    private static byte[] record(final Random random) {
        final StringBuilder line = new StringBuilder(200);
        if (random.nextInt(6) == 0) {
            line.append("node=").append(random.nextBoolean() ? "host-" + random.nextInt(3) : "").append(' ');
        }
        final long seconds = random.nextInt(20) == 0 ? random.nextLong() : 1_700_000_000L + random.nextInt(3);
        final String millis = random.nextInt(20) == 0 ? "1234567890" : String.format("%03d", random.nextInt(1000));
        line.append("type=").append(TYPES[random.nextInt(TYPES.length)])
                .append(" msg=audit(").append(seconds).append('.').append(millis).append(':').append(random.nextInt(40))
                .append("):");
        final int pairs = random.nextInt(12);
        for (int i = 0; i < pairs; i++) {
            line.append(' ').append(KEYS[random.nextInt(KEYS.length)]).append('=').append(value(random));
        }
        if (random.nextInt(4) == 0) {
            line.append('\u001d');
            for (int i = random.nextInt(4); i > 0; i--) {
                line.append(ENRICHED_KEYS[random.nextInt(ENRICHED_KEYS.length)]).append("=\"")
                        .append(WORDS[random.nextInt(WORDS.length)]).append("\" ");
            }
        }
        return line.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String value(final Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> ARCHES[random.nextInt(ARCHES.length)];
            case 1 -> SOCKADDRS[random.nextInt(SOCKADDRS.length)];
            case 2 -> hex(random);
            case 3 -> "\"" + FuzzInputs.randomText(random, 12).replace("\"", "") + "\"";
            case 4 -> Long.toString(random.nextLong());
            case 5 -> random.nextBoolean() ? "\"" + WORDS[random.nextInt(WORDS.length)] : "'" + FuzzInputs.randomText(random, 6);
            default -> WORDS[random.nextInt(WORDS.length)];
        };
    }

    /** Hex as the kernel writes untrusted strings, of bytes that may be NULs, \x01 key separators or invalid UTF-8. */
    private static String hex(final Random random) {
        final int length = random.nextInt(24);
        final StringBuilder hex = new StringBuilder(length * 2 + 1);
        for (int i = 0; i < length; i++) {
            hex.append(String.format("%02X", random.nextInt(8) == 0 ? random.nextInt(3) : random.nextInt(256)));
        }
        if (random.nextInt(10) == 0) {
            hex.append('F');
        }
        return hex.toString();
    }
}
