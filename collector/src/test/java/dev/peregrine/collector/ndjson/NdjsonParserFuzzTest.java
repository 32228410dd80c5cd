package dev.peregrine.collector.ndjson;

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
 * Native and agent NDJSON lines, real ones mutated and ones built from each format's keys:
 * each is one event or one rejection, never a crash. Native lines go through the per-line
 * detection ({@link NdjsonParser.Format#AUTO}), as a default {@code peregrine run} reads them.
 */
class NdjsonParserFuzzTest {

    private static final String FIXTURES = "/dev/peregrine/collector/ndjson/";
    private static final List<String> AGENT_KEYS = List.of("time", "agent", "session", "sandbox", "user", "host", "type",
            "tool", "action", "resource", "outcome", "reason", "model", "tokens_in", "tokens_out", "latency_ms", "namespace",
            "key", "content", "sha256", "size", "method", "url", "status", "bytes_out", "op", "remote_addr");
    private static final List<String> AGENT_TYPES = List.of("tool_call", "llm_call", "memory_write", "memory_read",
            "http_request", "platform_access", "unknown_type");
    private static final List<String> OUTCOMES = List.of("allowed", "denied", "approval_required", "approved", "rejected",
            "error", "success", "");

    private final NdjsonParser nativeParser = new NdjsonParser(NdjsonParser.Format.AUTO);
    private final NdjsonParser agentParser = new NdjsonParser(NdjsonParser.Format.AGENT);
    // A native line may name its own evt.source, and detection may read a mutated line as an agent event.
    private final FuzzAccount nativeAccount = new FuzzAccount("native", null);
    private final FuzzAccount agentAccount = new FuzzAccount("agent");

    @Property(tries = FuzzInputs.TRIES, shrinking = ShrinkingMode.BOUNDED)
    void everyNativeLineIsAnEventOrARejection(@ForAll("nativeLines") final List<Line> lines) {
        nativeAccount.forEach(lines, line -> {
            final FuzzAccount.Outcome outcome = nativeAccount.feed(
                    (buf, off, len, events) -> events.accept(nativeParser.parse(buf, off, len)), line);
            FuzzAccount.expectOneEventUnlessRejected(outcome);
        });
    }

    @Property(tries = FuzzInputs.TRIES, shrinking = ShrinkingMode.BOUNDED)
    void everyAgentLineIsAnEventOrARejection(@ForAll("agentLines") final List<Line> lines) {
        agentAccount.forEach(lines, line -> {
            final FuzzAccount.Outcome outcome = agentAccount.feed(
                    (buf, off, len, events) -> events.accept(agentParser.parse(buf, off, len)), line);
            FuzzAccount.expectOneEventUnlessRejected(outcome);
        });
    }

    @AfterProperty
    void everyInputIsBooked() {
        for (final FuzzAccount account : List.of(nativeAccount, agentAccount)) {
            if (account.inputs() > 0) {
                System.out.println(account);
                account.assertBalanced(FuzzInputs.INPUTS_PER_PARSER);
                assertThat(account.events()).isEqualTo(account.accepted());
            }
        }
    }

    @Provide
    Arbitrary<List<Line>> nativeLines() {
        final List<byte[]> seeds = new ArrayList<>(FuzzInputs.resourceLines(FIXTURES + "native-events.ndjson"));
        seeds.addAll(FuzzInputs.resourceLines(FIXTURES + "mixed-with-bad-lines.ndjson"));
        final List<String> keys = FuzzInputs.fieldNames();
        return FuzzInputs.batches(seeds, random -> withTime(random, "evt.time", FuzzInputs.jsonObject(random, keys)));
    }

    @Provide
    Arbitrary<List<Line>> agentLines() {
        final List<byte[]> seeds = new ArrayList<>(FuzzInputs.resourceLines(FIXTURES + "agent-events.ndjson"));
        seeds.addAll(FuzzInputs.resourceLines(FIXTURES + "mixed-with-bad-lines.ndjson"));
        return FuzzInputs.batches(seeds, NdjsonParserFuzzTest::agentEvent);
    }

    /** An agent event: the required keys (each sometimes left out), a known type and outcome, random other keys. */
    private static byte[] agentEvent(final Random random) {
        final StringBuilder head = new StringBuilder("{");
        if (random.nextInt(8) != 0) {
            head.append("\"agent\":\"ci-runner\",");
        }
        if (random.nextInt(8) != 0) {
            head.append("\"session\":\"s-").append(random.nextInt(100)).append("\",");
        }
        if (random.nextInt(8) != 0) {
            head.append("\"type\":\"").append(AGENT_TYPES.get(random.nextInt(AGENT_TYPES.size()))).append("\",");
        }
        head.append("\"outcome\":\"").append(OUTCOMES.get(random.nextInt(OUTCOMES.size()))).append("\",");
        final byte[] rest = withTime(random, "time", FuzzInputs.jsonObject(random, AGENT_KEYS));
        return (head + new String(rest, StandardCharsets.UTF_8).substring(1)).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code object} with a leading time key most of the time, so that many lines get past the required-field check. */
    private static byte[] withTime(final Random random, final String key, final byte[] object) {
        if (random.nextInt(5) == 0) {
            return object;
        }
        final String json = new String(object, StandardCharsets.UTF_8);
        final String time = "\"" + key + "\":\"" + FuzzInputs.timestamp(random) + "\"";
        return ("{" + time + (json.length() > 2 ? "," : "") + json.substring(1)).getBytes(StandardCharsets.UTF_8);
    }
}
