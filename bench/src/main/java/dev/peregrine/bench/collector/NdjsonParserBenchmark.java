package dev.peregrine.bench.collector;

import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Lines per second the NDJSON parser turns into events, for each input format. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NdjsonParserBenchmark {

    private static final byte[] NATIVE_EXECVE = ("{\"evt.time\":\"2026-11-22T10:15:30.123456789Z\",\"evt.type\":\"execve\","
            + "\"evt.source\":\"syscall\",\"evt.res\":\"SUCCESS\",\"agent.id\":\"ci-runner\",\"agent.session\":\"s-8f2c\","
            + "\"sandbox.id\":\"sbx-12\",\"host.name\":\"sandbox-host-3\",\"user.name\":\"alice\",\"user.uid\":1000,"
            + "\"proc.pid\":4242,\"proc.ppid\":4100,\"proc.name\":\"pip\",\"proc.exe\":\"/usr/bin/pip\","
            + "\"proc.args\":\"install requests\",\"proc.cwd\":\"/workspace/api\",\"proc.pname\":\"bash\"}")
            .getBytes(StandardCharsets.UTF_8);

    private static final byte[] AGENT_TOOL_CALL = ("{\"time\":\"2026-11-22T10:15:30.123Z\",\"agent\":\"ci-runner\","
            + "\"session\":\"s-8f2c\",\"sandbox\":\"sbx-12\",\"user\":\"alice\",\"type\":\"tool_call\",\"tool\":\"github\","
            + "\"action\":\"git:push\",\"resource\":\"repos/acme/api/branches/main\",\"outcome\":\"denied\",\"reason\":\"policy\"}")
            .getBytes(StandardCharsets.UTF_8);

    private final NdjsonParser parser = new NdjsonParser();

    @Benchmark
    public Event nativeExecve() throws LineRejectedException {
        return parser.parse(NATIVE_EXECVE, 0, NATIVE_EXECVE.length);
    }

    @Benchmark
    public Event agentToolCall() throws LineRejectedException {
        return parser.parse(AGENT_TOOL_CALL, 0, AGENT_TOOL_CALL.length);
    }
}
