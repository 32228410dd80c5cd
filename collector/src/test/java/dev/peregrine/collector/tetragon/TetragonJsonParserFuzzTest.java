package dev.peregrine.collector.tetragon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.source.FuzzAccount;
import dev.peregrine.collector.source.FuzzInputs;
import dev.peregrine.collector.source.FuzzInputs.Line;
import java.nio.charset.StandardCharsets;
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
 * Tetragon export lines, real ones mutated and ones built from Tetragon's keys: each is an
 * event, a skipped export type (counted by the parser) or a rejection, never a crash.
 */
class TetragonJsonParserFuzzTest {

    private static final String FIXTURES = "/dev/peregrine/collector/tetragon/";
    private static final List<String> EVENT_TYPES = List.of("process_exec", "process_exit", "process_kprobe",
            "process_lsm", "process_tracepoint", "process_uprobe", "process_loader", "rate_limit_info");
    private static final List<String> KEYS = List.of("process", "parent", "function_name", "symbol", "event", "policy_name",
            "action", "status", "signal", "args", "binary", "arguments", "cwd", "pid", "uid", "auid", "start_time",
            "exec_id", "docker", "pod", "namespace", "name", "container", "id", "image", "security_context", "privileged",
            "file_arg", "path_arg", "sock_arg", "sockaddr_arg", "path", "saddr", "daddr", "sport", "dport", "protocol",
            "time", "node_name");

    private final TetragonJsonParser parser = new TetragonJsonParser();
    private final FuzzAccount account = new FuzzAccount("tetragon");

    @Property(tries = FuzzInputs.TRIES, shrinking = ShrinkingMode.BOUNDED)
    void everyLineIsAnEventASkipOrARejection(@ForAll("tetragonLines") final List<Line> lines) {
        account.forEach(lines, line -> {
            final long skippedBefore = parser.skipped();
            final FuzzAccount.Outcome outcome = account.feed(parser::parse, line);
            final boolean skipped = outcome.rejection() == null && outcome.events().isEmpty();
            // A line giving no event must be counted as skipped, and only such a line.
            if (parser.skipped() != skippedBefore + (skipped ? 1 : 0)) {
                throw new AssertionError("skipped went from " + skippedBefore + " to " + parser.skipped() + " on " + line);
            }
            if (skipped) {
                account.reclassifyAsSkipped();
            } else {
                FuzzAccount.expectOneEventUnlessRejected(outcome);
            }
        });
    }

    @AfterProperty
    void everyInputIsBooked() {
        System.out.println(account);
        account.assertBalanced(FuzzInputs.INPUTS_PER_PARSER);
        assertThat(account.events()).isEqualTo(account.accepted());
        assertThat(account.skipped()).isEqualTo(parser.skipped());
    }

    @Provide
    Arbitrary<List<Line>> tetragonLines() {
        final List<byte[]> seeds = new ArrayList<>(FuzzInputs.resourceLines(FIXTURES + "testdata_events.json"));
        seeds.addAll(FuzzInputs.jsonValues(FIXTURES + "00_four_golden_signals__process_exec.json"));
        seeds.addAll(FuzzInputs.jsonValues(FIXTURES + "00_four_golden_signals__process_kprobe.json"));
        return FuzzInputs.batches(seeds, TetragonJsonParserFuzzTest::export);
    }

    /** An export line: one event-type key whose object holds Tetragon's keys at any depth, a time, a node. */
    private static byte[] export(final Random random) {
        final String type = EVENT_TYPES.get(random.nextInt(EVENT_TYPES.size()));
        final String body = new String(FuzzInputs.jsonObject(random, KEYS), StandardCharsets.UTF_8);
        final String time = random.nextInt(4) == 0 ? "" : ",\"time\":\"" + FuzzInputs.timestamp(random) + "\"";
        return ("{\"" + type + "\":" + body + time + ",\"node_name\":\"n\"}").getBytes(StandardCharsets.UTF_8);
    }
}
