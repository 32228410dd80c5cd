package dev.peregrine.collector.falco;

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

/** Falco JSON lines, real ones mutated and ones built from Falco's keys: each is an event or a rejection, never a crash. */
class FalcoJsonParserFuzzTest {

    private static final List<String> OUTPUT_FIELD_KEYS = FuzzInputs.fieldNames();
    private static final List<String> TOP_LEVEL_KEYS = List.of(
            "time", "hostname", "rule", "priority", "source", "output", "tags", "uuid", "output_fields");

    private final FalcoJsonParser parser = new FalcoJsonParser();
    private final FuzzAccount account = new FuzzAccount("falco");

    @Property(tries = FuzzInputs.TRIES, shrinking = ShrinkingMode.BOUNDED)
    void everyLineIsAnEventOrARejection(@ForAll("falcoLines") final List<Line> lines) {
        account.forEach(lines, line -> {
            final FuzzAccount.Outcome outcome = account.feed(parser::parse, line);
            FuzzAccount.expectOneEventUnlessRejected(outcome);
        });
    }

    @AfterProperty
    void everyInputIsBooked() {
        System.out.println(account);
        account.assertBalanced(FuzzInputs.INPUTS_PER_PARSER);
        assertThat(account.events()).isEqualTo(account.accepted());
    }

    @Provide
    Arbitrary<List<Line>> falcoLines() {
        final List<byte[]> seeds = new ArrayList<>(FuzzInputs.resourceLines("/dev/peregrine/collector/falco/single_rule_with_cat_write.json"));
        seeds.add(("{\"time\":\"2026-11-22T10:16:02.000000000Z\",\"rule\":\"Permission denied burst\",\"priority\":\"Warning\","
                + "\"source\":\"syscall\",\"hostname\":\"h\",\"tags\":[\"a\"],\"output\":\"o\",\"output_fields\":{\"proc.pid\":42,"
                + "\"proc.cmdline\":\"cat /etc/shadow\",\"fd.name\":\"/etc/shadow\",\"evt.time\":1795349730000000000,"
                + "\"container.privileged\":true,\"user.uid\":\"0\",\"proc.aname[2]\":\"<NA>\",\"fd.sport\":null}}")
                .getBytes(StandardCharsets.UTF_8));
        return FuzzInputs.batches(seeds, FalcoJsonParserFuzzTest::alert);
    }

    /** A Falco-shaped alert: top-level keys with an {@code output_fields} object of registered field names. */
    private static byte[] alert(final Random random) {
        final String outer = new String(FuzzInputs.jsonObject(random, TOP_LEVEL_KEYS), StandardCharsets.UTF_8);
        final String fields = new String(FuzzInputs.jsonObject(random, OUTPUT_FIELD_KEYS), StandardCharsets.UTF_8);
        final String time = random.nextInt(4) == 0 ? "" : "\"time\":\"" + FuzzInputs.timestamp(random) + "\",";
        final String withFields = "{" + time + "\"output_fields\":" + fields + (outer.length() > 2 ? "," : "") + outer.substring(1);
        return withFields.getBytes(StandardCharsets.UTF_8);
    }
}
