package dev.peregrine.collector.ndjson;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.collector.event.Event;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The flat scanner, which reads most lines straight from their bytes, and Jackson, which reads
 * the rest, make the same event or the same rejection of every line, in every format.
 */
class NdjsonParserPathsTest {

    private static final String FIXTURES = "/dev/peregrine/collector/ndjson/";

    private final List<NdjsonParser> parsers = List.of(new NdjsonParser(NdjsonParser.Format.AUTO),
            new NdjsonParser(NdjsonParser.Format.NATIVE), new NdjsonParser(NdjsonParser.Format.AGENT));

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"evt.time\":\"2026-11-22T10:15:30.123456789Z\",\"evt.type\":\"execve\",\"proc.pid\":4242,\"evt.failed\":false}",
        " \t{ \"evt.time\" : 1 , \"proc.name\" : \"sh\" } \r",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.args\":\"-c \\\"echo \\\\ hi\\\"\\n\\t\\/\\b\\f\\r\"}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.args\":\"\\u0041\\ud800\"}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"fd.name\":\"/home/ünïcødé/ファイル\",\"clé\":\"valeur\"}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.args\":\"x\\\"\",\"a\\\"b\":1}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.pid\":-0,\"user.uid\":999999999999999999,\"n\":-999999999999999999}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.pid\":9223372036854775807,\"x\":9223372036854775808}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.pid\":1.5,\"x\":1e3,\"y\":-0.0,\"z\":01}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.pid\":\"12\",\"evt.failed\":\"true\",\"proc.name\":7}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"labels\":{\"a\":[1,2,{\"b\":null}]},\"tags\":[]}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.name\":\"a\",\"proc.name\":\"b\",\"k\":1,\"k\":2}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"evt.time\":\"2026-11-22T10:15:31Z\"}",
        "{\"evt.time\":\"2026-02-30T10:15:30Z\"}",
        "{\"evt.time\":\"2026-11-22T10:15:30+25:00\",\"proc.pid\":\"x\"}",
        "{\"evt.time\":\"1795350930123456789\"}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\\\"\"}",
        "{\"evt.time\":null,\"proc.name\":null}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.name\":\"tab\there\"}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.name\":\"sh\"} x",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\",\"proc.name\":\"sh\",}",
        "{\"evt.time\":\"2026-11-22T10:15:30Z\" \"proc.name\":\"sh\"}",
        "{\"evt.time\":tru}", "{\"evt.time\":truex}", "{\"evt.time\":nul}", "{\"evt.time\":-}", "{\"evt.time\":+1}",
        "{\"evt.time\":12abc}", "{\"evt.time\":\"unterminated}", "{\"evt.time\"", "{\"evt.time\":", "{", "{}", "[]",
        "\"text\"", "42", "{\"evt.time\":1}{}", "\uFEFF{\"evt.time\":1}",
        "{\"time\":\"2026-11-22T10:15:30Z\",\"agent\":\"a\",\"session\":\"s\",\"type\":\"tool_call\",\"outcome\":\"denied\"}",
        "{\"outcome\":\"allowed\",\"time\":\"2026-11-22T10:15:30Z\",\"agent\":\"a\",\"session\":\"s\",\"type\":\"tool_call\"}",
        "{\"time\":\"2026-11-22T10:15:30Z\",\"agent\":\"a\",\"type\":7}",
        "{\"time\":\"2026-11-22T10:15:30Z\",\"evt.time\":\"2026-11-22T10:15:30Z\",\"type\":\"llm_call\",\"tokens_in\":\"9\"}",
        "{\"k8s.ns\":\"ci\"}"})
    void bothPathsAgreeOnTrickyLines(final String line) {
        assertBothPathsAgree(line.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 2_000, shrinking = ShrinkingMode.BOUNDED)
    void bothPathsAgreeOnMutatedAndRandomLines(@ForAll("lines") final Line line) {
        assertBothPathsAgree(line.bytes());
    }

    @Provide
    Arbitrary<Line> lines() {
        final List<byte[]> seeds = new ArrayList<>(FuzzInputs.resourceLines(FIXTURES + "native-events.ndjson"));
        seeds.addAll(FuzzInputs.resourceLines(FIXTURES + "agent-events.ndjson"));
        seeds.addAll(FuzzInputs.resourceLines(FIXTURES + "mixed-with-bad-lines.ndjson"));
        final List<String> keys = new ArrayList<>(FuzzInputs.fieldNames());
        keys.addAll(List.of("time", "agent", "session", "type", "outcome", "tool", "tokens_in"));
        return FuzzInputs.forParser(seeds, (Random random) -> FuzzInputs.jsonObject(random, keys));
    }

    private void assertBothPathsAgree(final byte[] line) {
        // In the middle of a larger buffer, as a line reader hands it over.
        final byte[] buf = new byte[line.length + 16];
        System.arraycopy(line, 0, buf, 8, line.length);
        for (final NdjsonParser parser : parsers) {
            final Object jackson = outcome(() -> parser.parseWithJackson(buf, 8, line.length));
            final Object either = outcome(() -> parser.parse(buf, 8, line.length));
            assertThat(either).as("%s parser on %s", parser.format(), new Line(line)).isEqualTo(jackson);
        }
    }

    private static Object outcome(final Parse parse) {
        try {
            return parse.run();
        } catch (final LineRejectedException e) {
            return e.reason() + ": " + e.getMessage();
        }
    }

    @FunctionalInterface
    private interface Parse {
        Event run() throws LineRejectedException;
    }
}
