package dev.peregrine.bench.engine;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.ndjson.NdjsonParser;
import dev.peregrine.engine.falco.FalcoRuleEvaluator;
import dev.peregrine.engine.rules.RuleFile;
import dev.peregrine.engine.rules.RuleLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/** Events per second the shipped Falco-style rule set evaluates, for benign events of common types. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FalcoRuleEvaluatorBenchmark {

    private FalcoRuleEvaluator evaluator;
    private Event execve;
    private Event openat;
    private Event toolCall;

    @Setup
    public void loadShippedRules() throws Exception {
        final ClassLoader classLoader = getClass().getClassLoader();
        final List<RuleFile> files = new ArrayList<>();
        try (BufferedReader index = new BufferedReader(new InputStreamReader(
                classLoader.getResourceAsStream("peregrine/rules/index.txt"), StandardCharsets.UTF_8))) {
            for (String line = index.readLine(); line != null; line = index.readLine()) {
                if (!line.isBlank()) {
                    files.add(RuleFile.ofResource(classLoader, "peregrine/rules/" + line.strip()));
                }
            }
        }
        evaluator = new FalcoRuleEvaluator(new RuleLoader(FieldRegistry.standard()).loadFiles(files));
        final NdjsonParser parser = new NdjsonParser();
        execve = parse(parser, "{\"evt.time\":1,\"evt.type\":\"execve\",\"agent.id\":\"ci-runner\",\"agent.session\":\"s\","
                + "\"proc.pid\":402,\"proc.name\":\"git\",\"proc.exe\":\"/usr/bin/git\",\"proc.args\":\"status\","
                + "\"proc.pname\":\"python3\",\"proc.cwd\":\"/workspace/api\",\"user.name\":\"alice\"}");
        openat = parse(parser, "{\"evt.time\":1,\"evt.type\":\"openat\",\"agent.id\":\"ci-runner\",\"agent.session\":\"s\","
                + "\"proc.pid\":311,\"proc.name\":\"python3\",\"fd.name\":\"/workspace/api/api/orders.py\",\"evt.res\":\"SUCCESS\"}");
        toolCall = parse(parser, "{\"time\":\"2026-11-22T10:00:05.230Z\",\"agent\":\"ci-runner\",\"session\":\"s\","
                + "\"type\":\"tool_call\",\"tool\":\"fs\",\"action\":\"read\",\"resource\":\"/workspace/api/x.py\",\"outcome\":\"allowed\"}");
    }

    private static Event parse(final NdjsonParser parser, final String line) throws Exception {
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return parser.parse(bytes, 0, bytes.length);
    }

    @Benchmark
    public void benignExecve(final Blackhole sink) {
        evaluator.onEvent(execve, sink::consume);
    }

    @Benchmark
    public void benignOpenat(final Blackhole sink) {
        evaluator.onEvent(openat, sink::consume);
    }

    @Benchmark
    public void allowedToolCall(final Blackhole sink) {
        evaluator.onEvent(toolCall, (Alert alert) -> sink.consume(alert));
    }
}
