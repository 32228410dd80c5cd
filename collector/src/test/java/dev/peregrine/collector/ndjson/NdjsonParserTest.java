package dev.peregrine.collector.ndjson;

import static dev.peregrine.collector.event.StandardFields.AGENT_ID;
import static dev.peregrine.collector.event.StandardFields.AGENT_SESSION;
import static dev.peregrine.collector.event.StandardFields.CONTAINER_ID;
import static dev.peregrine.collector.event.StandardFields.EVT_FAILED;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.HTTP_BYTES_OUT;
import static dev.peregrine.collector.event.StandardFields.HTTP_METHOD;
import static dev.peregrine.collector.event.StandardFields.HTTP_STATUS;
import static dev.peregrine.collector.event.StandardFields.HTTP_URL;
import static dev.peregrine.collector.event.StandardFields.LLM_LATENCY_MS;
import static dev.peregrine.collector.event.StandardFields.LLM_MODEL;
import static dev.peregrine.collector.event.StandardFields.LLM_TOKENS_IN;
import static dev.peregrine.collector.event.StandardFields.LLM_TOKENS_OUT;
import static dev.peregrine.collector.event.StandardFields.MEMORY_CONTENT;
import static dev.peregrine.collector.event.StandardFields.MEMORY_KEY;
import static dev.peregrine.collector.event.StandardFields.MEMORY_NAMESPACE;
import static dev.peregrine.collector.event.StandardFields.MEMORY_SHA256;
import static dev.peregrine.collector.event.StandardFields.MEMORY_SIZE;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OP;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_OUTCOME;
import static dev.peregrine.collector.event.StandardFields.PLATFORM_REMOTE_ADDR;
import static dev.peregrine.collector.event.StandardFields.PROC_CMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static dev.peregrine.collector.event.StandardFields.SANDBOX_ID;
import static dev.peregrine.collector.event.StandardFields.TOOL_ACTION;
import static dev.peregrine.collector.event.StandardFields.TOOL_NAME;
import static dev.peregrine.collector.event.StandardFields.TOOL_OUTCOME;
import static dev.peregrine.collector.event.StandardFields.TOOL_REASON;
import static dev.peregrine.collector.event.StandardFields.TOOL_RESOURCE;
import static dev.peregrine.collector.event.StandardFields.USER_NAME;
import static dev.peregrine.collector.event.StandardFields.USER_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.peregrine.collector.deadletter.Rejection.Reason;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Timestamps;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NdjsonParserTest {

    private static final long T0 = Timestamps.parseRfc3339("2026-11-22T10:15:30Z");

    private final NdjsonParser parser = new NdjsonParser();

    // --- native ---------------------------------------------------------------------------

    @Test
    void nativeLineWithEveryTypeOfFieldIsTyped() throws Exception {
        final Event event = parse("""
                {"evt.time":"2026-11-22T10:15:30Z","evt.type":"execve","evt.failed":false,\
                "proc.pid":4242,"proc.name":"pip","user.uid":1001,"container.id":"c0ffee"}""");

        assertThat(event.timeNanos()).isEqualTo(T0);
        assertThat(event.get(EVT_TYPE)).isEqualTo("execve");
        assertThat(event.get(EVT_FAILED)).isEqualTo(false);
        assertThat(event.get(PROC_PID)).isEqualTo(4242L);
        assertThat(event.get(PROC_NAME)).isEqualTo("pip");
        assertThat(event.get(USER_UID)).isEqualTo(1001L);
        assertThat(event.get(CONTAINER_ID)).isEqualTo("c0ffee");
        assertThat(event.extras()).isEmpty();
    }

    @Test
    void rfc3339WithOffsetAndNanosecondsBecomesEpochNanos() throws Exception {
        final Event event = parse("{\"evt.time\":\"2026-11-22T12:15:30.123456789+02:00\",\"evt.type\":\"x\"}");

        assertThat(event.timeNanos()).isEqualTo(T0 + 123_456_789L);
    }

    @Test
    void integerEventTimeIsEpochNanoseconds() throws Exception {
        final Event event = parse("{\"evt.time\":" + (T0 + 7) + ",\"evt.type\":\"x\"}");

        assertThat(event.timeNanos()).isEqualTo(T0 + 7);
    }

    @Test
    void scalarsGivenAsTextAreCoercedToTheFieldType() throws Exception {
        final Event event = parse("""
                {"evt.time":"2026-11-22T10:15:30Z","proc.ppid":"-1","evt.failed":"true",\
                "proc.name":42,"user.name":true,"proc.exe":1.5}""");

        assertThat(event.get(PROC_PPID)).isEqualTo(-1L);
        assertThat(event.get(EVT_FAILED)).isEqualTo(true);
        assertThat(event.get(PROC_NAME)).isEqualTo("42");
        assertThat(event.get(USER_NAME)).isEqualTo("true");
        assertThat(event.getString(dev.peregrine.collector.event.StandardFields.PROC_EXE)).isEqualTo("1.5");
    }

    @Test
    void unknownKeysAreKeptAsExtrasWithTheirJsonType() throws Exception {
        final Event event = parse("""
                {"evt.time":"2026-11-22T10:15:30Z","k8s.ns":"ci","retries":3,"score":0.75,"ok":true,\
                "labels":{"team":"infra","n":[1,2]},"tags":["a","b"],"huge":123456789012345678901234567890,\
                "gone":null,"proc.nme":"typo"}""");

        assertThat(event.extras()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "k8s.ns", "ci", "retries", 3L, "score", 0.75, "ok", true,
                "labels", "{\"team\":\"infra\",\"n\":[1,2]}", "tags", "[\"a\",\"b\"]",
                "huge", 1.2345678901234568E29, "proc.nme", "typo"));
    }

    @Test
    void nativeEventSourceDefaultsToSyscallButKeepsAGivenOne() throws Exception {
        assertThat(parse("{\"evt.time\":1}").get(EVT_SOURCE)).isEqualTo("syscall");
        assertThat(parse("{\"evt.time\":1,\"evt.source\":\"falco\"}").get(EVT_SOURCE)).isEqualTo("falco");
    }

    @Test
    void nullMeansAbsent() throws Exception {
        final Event event = parse("{\"evt.time\":1,\"proc.name\":null,\"proc.pid\":null}");

        assertThat(event.has(PROC_NAME)).isFalse();
        assertThat(event.has(PROC_PID)).isFalse();
        assertThat(event.has(PROC_CMDLINE)).isFalse();
    }

    @Test
    void agentKeysInANativeLineAreExtras() throws Exception {
        final Event event = parse("{\"evt.time\":1,\"proc.name\":\"sh\",\"type\":\"tool_call\",\"outcome\":\"denied\"}");

        assertThat(event.get(EVT_SOURCE)).isEqualTo("syscall");
        assertThat(event.extras()).containsEntry("type", "tool_call").containsEntry("outcome", "denied");
        assertThat(event.has(TOOL_OUTCOME)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            "proc.pid":"abc"                          | field 'proc.pid' must be an integer, got string "abc"
            "proc.pid":1.5                            | field 'proc.pid' must be an integer, got number 1.5
            "proc.pid":true                           | field 'proc.pid' must be an integer, got boolean true
            "proc.pid":99999999999999999999           | out of range
            "proc.pid":"99999999999999999999"         | out of range
            "proc.name":{"a":1}                       | field 'proc.name' must be a string, got an object
            "proc.args":["-c","id"]                   | field 'proc.args' must be a string, got an array
            "evt.failed":"yes"                        | field 'evt.failed' must be true or false, got string "yes"
            "evt.failed":1                            | field 'evt.failed' must be true or false, got integer 1
            "evt.time":{}                             | field 'evt.time' must be an RFC 3339 timestamp or integer epoch nanoseconds, got an object
            "evt.time":"yesterday"                    | got string "yesterday"
            "evt.time":"2026-13-01T00:00:00Z"         | Invalid value for MonthOfYear
            "evt.time":"2026-02-30T00:00:00Z"         | Invalid date 'FEBRUARY 30'
            "evt.time":"2026-11-22T10:15:30"          | missing time zone offset
            "evt.time":1.7e18                         | got number 1.7E18
            """)
    void wrongTypesAreRejectedNamingTheFieldAndTheValue(final String member, final String expectedMessagePart) {
        final String line = member.startsWith("\"evt.time\"")
                ? "{\"evt.type\":\"execve\"," + member + "}"
                : "{\"evt.time\":1," + member + "}";

        assertRejected(line, Reason.INVALID_VALUE).hasMessageContaining(expectedMessagePart);
    }

    @Test
    void theFirstBadValueIsTheOneReported() {
        assertRejected("{\"proc.pid\":\"x\",\"evt.time\":{},\"user.uid\":\"y\"}", Reason.INVALID_VALUE)
                .hasMessageStartingWith("field 'proc.pid'");
    }

    @Test
    void nativeLineWithoutEventTimeIsMissingField() {
        assertRejected("{\"evt.type\":\"execve\",\"proc.name\":\"sh\"}", Reason.MISSING_FIELD)
                .hasMessageContaining("'evt.time'");
        assertRejected("{\"evt.time\":null,\"proc.name\":\"sh\"}", Reason.MISSING_FIELD);
        assertRejected("{\"time\":\"2026-11-22T10:15:30Z\",\"proc.name\":\"sh\"}", Reason.MISSING_FIELD)
                .hasMessageContaining("mixes both formats");
    }

    // --- malformed / unknown ------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"evt.time":1,"proc.name":                 | invalid JSON at column
            {"evt.time":1,}                            | invalid JSON at column
            {evt.time:1}                               | invalid JSON at column
            [{"evt.time":1}]                           | expected a JSON object, got an array
            "evt.time"                                 | expected a JSON object, got a string
            42                                         | expected a JSON object, got a number
            {"evt.time":1} trailing                    | unexpected content after the JSON object
            {"evt.time":1}{"evt.time":2}               | unexpected content after the JSON object at column 15: an object
            {"evt.time":1}]                            | unexpected content after the JSON object
            {"evt.time":"2026-11-22T10:15:30Z","x":NaN} | invalid JSON at column
            """)
    void anythingButOneJsonObjectIsMalformed(final String line, final String expectedMessagePart) {
        assertRejected(line, Reason.MALFORMED_JSON).hasMessageContaining(expectedMessagePart);
    }

    @Test
    void nestingDeeperThanJacksonAllowsIsMalformedNotACrash() {
        final String deep = "[".repeat(5000) + "]".repeat(5000);

        assertRejected("{\"evt.time\":1,\"x\":" + deep + "}", Reason.MALFORMED_JSON)
                .hasMessageContaining("nesting depth");
    }

    @Test
    void malformedJsonWinsOverABadValueEarlierInTheLine() {
        assertRejected("{\"proc.pid\":\"abc\",\"evt.time\":", Reason.MALFORMED_JSON);
    }

    @Test
    void aLineInNeitherFormatIsUnknownFormat() {
        assertRejected("{\"hello\":\"world\",\"proc.nme\":\"typo\"}", Reason.UNKNOWN_FORMAT);
        assertRejected("{}", Reason.UNKNOWN_FORMAT);
    }

    @Test
    void blankLinesAreNoRecordsButParseRejectsThem() {
        final byte[] blank = " \t\r\n".getBytes(StandardCharsets.UTF_8);

        assertThat(NdjsonParser.isBlank(blank, 0, blank.length)).isTrue();
        assertThat(NdjsonParser.isBlank(new byte[0], 0, 0)).isTrue();
        assertThat(NdjsonParser.isBlank(new byte[] {' ', '{'}, 0, 2)).isFalse();
        assertRejected("   ", Reason.MALFORMED_JSON).hasMessageContaining("empty line");
    }

    // --- agent --------------------------------------------------------------------------

    @Test
    void agentToolCallMapsOntoToolFields() throws Exception {
        final Event event = parse("""
                {"time":"2026-11-22T10:15:30Z","agent":"ci-runner","session":"s-8f2c","sandbox":"sbx-12",\
                "user":"alice","host":"node-1","type":"tool_call","tool":"github","action":"git:push",\
                "resource":"repos/acme/api/branches/main","outcome":"denied","reason":"policy"}""");

        assertThat(event.timeNanos()).isEqualTo(T0);
        assertThat(event.get(EVT_SOURCE)).isEqualTo("agent");
        assertThat(event.get(EVT_TYPE)).isEqualTo("tool_call");
        assertThat(event.get(AGENT_ID)).isEqualTo("ci-runner");
        assertThat(event.get(AGENT_SESSION)).isEqualTo("s-8f2c");
        assertThat(event.get(SANDBOX_ID)).isEqualTo("sbx-12");
        assertThat(event.get(USER_NAME)).isEqualTo("alice");
        assertThat(event.get(HOST_NAME)).isEqualTo("node-1");
        assertThat(event.get(TOOL_NAME)).isEqualTo("github");
        assertThat(event.get(TOOL_ACTION)).isEqualTo("git:push");
        assertThat(event.get(TOOL_RESOURCE)).isEqualTo("repos/acme/api/branches/main");
        assertThat(event.get(TOOL_OUTCOME)).isEqualTo("denied");
        assertThat(event.get(TOOL_REASON)).isEqualTo("policy");
        assertThat(event.get(EVT_RES)).isEqualTo("EACCES");
        assertThat(event.get(EVT_FAILED)).isEqualTo(true);
        assertThat(event.extras()).isEmpty();
    }

    @Test
    void agentLlmCallMapsOntoLlmFieldsWithIntegerCounts() throws Exception {
        final Event event = parse(agent("llm_call", "\"model\":\"claude\",\"tokens_in\":1200,\"tokens_out\":\"350\",\"latency_ms\":840"));

        assertThat(event.get(LLM_MODEL)).isEqualTo("claude");
        assertThat(event.get(LLM_TOKENS_IN)).isEqualTo(1200L);
        assertThat(event.get(LLM_TOKENS_OUT)).isEqualTo(350L);
        assertThat(event.get(LLM_LATENCY_MS)).isEqualTo(840L);
        assertThat(event.has(EVT_RES)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"memory_write", "memory_read"})
    void agentMemoryAccessMapsOntoMemoryFields(final String type) throws Exception {
        final Event event = parse(agent(type,
                "\"namespace\":\"project/acme\",\"key\":\"notes\",\"content\":\"hi\",\"sha256\":\"8f43\",\"size\":2"));

        assertThat(event.get(EVT_TYPE)).isEqualTo(type);
        assertThat(event.get(MEMORY_NAMESPACE)).isEqualTo("project/acme");
        assertThat(event.get(MEMORY_KEY)).isEqualTo("notes");
        assertThat(event.get(MEMORY_CONTENT)).isEqualTo("hi");
        assertThat(event.get(MEMORY_SHA256)).isEqualTo("8f43");
        assertThat(event.get(MEMORY_SIZE)).isEqualTo(2L);
    }

    @Test
    void agentHttpRequestMapsOntoHttpFields() throws Exception {
        final Event event = parse(agent("http_request",
                "\"method\":\"POST\",\"url\":\"https://pypi.org/simple/x/\",\"status\":404,\"bytes_out\":512"));

        assertThat(event.get(HTTP_METHOD)).isEqualTo("POST");
        assertThat(event.get(HTTP_URL)).isEqualTo("https://pypi.org/simple/x/");
        assertThat(event.get(HTTP_STATUS)).isEqualTo(404L);
        assertThat(event.get(HTTP_BYTES_OUT)).isEqualTo(512L);
        assertThat(event.has(EVT_RES)).isFalse();
    }

    @Test
    void outcomeBeforeTypeStillMapsByType() throws Exception {
        final Event platform = parse("""
                {"outcome":"denied","op":"login","remote_addr":"203.0.113.7","time":"2026-11-22T10:15:30Z",\
                "agent":"ci-runner","session":"s-1","type":"platform_access"}""");
        final Event tool = parse("""
                {"outcome":"error","tool":"shell","time":"2026-11-22T10:15:30Z",\
                "agent":"ci-runner","session":"s-1","type":"tool_call"}""");

        assertThat(platform.get(PLATFORM_OUTCOME)).isEqualTo("denied");
        assertThat(platform.get(PLATFORM_OP)).isEqualTo("login");
        assertThat(platform.get(PLATFORM_REMOTE_ADDR)).isEqualTo("203.0.113.7");
        assertThat(platform.has(TOOL_OUTCOME)).isFalse();
        assertThat(platform.get(EVT_RES)).isEqualTo("EACCES");
        assertThat(tool.get(TOOL_OUTCOME)).isEqualTo("error");
        assertThat(tool.has(PLATFORM_OUTCOME)).isFalse();
        assertThat(tool.get(EVT_RES)).isEqualTo("EIO");
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(nullValues = "unset", textBlock = """
            tool_call,       allowed,           SUCCESS
            tool_call,       approved,          SUCCESS
            tool_call,       approval_required, unset
            tool_call,       denied,            EACCES
            tool_call,       rejected,          EACCES
            tool_call,       error,             EIO
            tool_call,       sideways,          unset
            tool_call,       success,           unset
            platform_access, success,           SUCCESS
            platform_access, denied,            EACCES
            platform_access, locked,            unset
            """)
    void agentOutcomeDecidesEventResult(final String type, final String outcome, final String result) throws Exception {
        final Event event = parse(agent(type, "\"outcome\":\"" + outcome + "\""));

        assertThat(event.get(EVT_RES)).isEqualTo(result);
    }

    @Test
    void keysOfAnotherAgentTypeStayExtras() throws Exception {
        final Event event = parse(agent("tool_call", "\"tool\":\"shell\",\"status\":\"ok\",\"model\":7"));

        assertThat(event.has(HTTP_STATUS)).isFalse();
        assertThat(event.has(LLM_MODEL)).isFalse();
        assertThat(event.extras()).containsEntry("status", "ok").containsEntry("model", 7L);
    }

    @Test
    void anUnknownAgentTypeKeepsItsEnvelopeAndEverythingElseAsExtras() throws Exception {
        final Event event = parse(agent("file_read", "\"path\":\"/etc/hosts\",\"outcome\":\"denied\""));

        assertThat(event.get(EVT_TYPE)).isEqualTo("file_read");
        assertThat(event.get(AGENT_ID)).isEqualTo("ci-runner");
        assertThat(event.has(EVT_RES)).isFalse();
        assertThat(event.extras()).containsEntry("path", "/etc/hosts").containsEntry("outcome", "denied");
    }

    @Test
    void agentRequiredKeysMissingAreNamed() {
        assertRejected("{\"time\":\"2026-11-22T10:15:30Z\",\"type\":\"tool_call\",\"agent\":\"a\"}", Reason.MISSING_FIELD)
                .hasMessage("agent event has no 'session'");
        assertRejected("{\"type\":\"tool_call\",\"tool\":\"shell\"}", Reason.MISSING_FIELD)
                .hasMessage("agent event has no 'time', 'agent', 'session'");
        assertRejected("{\"time\":\"2026-11-22T10:15:30Z\",\"agent\":\"a\",\"session\":\"s\"}", Reason.MISSING_FIELD)
                .hasMessage("agent event has no 'type'");
    }

    @Test
    void agentValuesOfTheWrongTypeNameKeyAndField() {
        assertRejected(agent("llm_call", "\"tokens_in\":\"many\""), Reason.INVALID_VALUE)
                .hasMessage("key 'tokens_in' (llm.tokens.in) must be an integer, got string \"many\"");
        assertRejected("{\"time\":\"noon\",\"agent\":\"a\",\"session\":\"s\",\"type\":\"tool_call\"}", Reason.INVALID_VALUE)
                .hasMessageStartingWith("key 'time' (evt.time) must be an RFC 3339 timestamp");
        assertRejected("{\"time\":1,\"agent\":\"a\",\"session\":\"s\",\"type\":[\"tool_call\"]}", Reason.INVALID_VALUE)
                .hasMessage("key 'type' must be a string, got an array");
    }

    // --- forced formats and reuse -------------------------------------------------------

    @Test
    void forcedNativeReadsAgentLinesAsNativeWithoutEventTime() {
        final NdjsonParser nativeOnly = new NdjsonParser(NdjsonParser.Format.NATIVE);

        assertThatThrownBy(() -> parse(nativeOnly, agent("tool_call", "\"tool\":\"x\"")))
                .isInstanceOfSatisfying(LineRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_FIELD));
    }

    @Test
    void forcedAgentKeepsFieldNamedKeysAsExtras() throws Exception {
        final NdjsonParser agentOnly = new NdjsonParser(NdjsonParser.Format.AGENT);

        final Event event = parse(agentOnly, agent("tool_call", "\"proc.name\":\"sh\""));

        assertThat(event.has(PROC_NAME)).isFalse();
        assertThat(event.extras()).containsEntry("proc.name", "sh");
    }

    @Test
    void aRejectedLineLeavesNothingBehindForTheNext() throws Exception {
        assertRejected(agent("platform_access", "\"outcome\":\"denied\",\"op\":\"login\"").replace("\"session\":\"s-1\",", ""),
                Reason.MISSING_FIELD);

        final Event next = parse("{\"time\":1,\"agent\":\"b\",\"session\":\"s-2\",\"type\":\"llm_call\"}");

        assertThat(next.has(PLATFORM_OUTCOME)).isFalse();
        assertThat(next.has(EVT_RES)).isFalse();
        assertThat(next.extras()).isEmpty();
        assertThat(next.get(AGENT_ID)).isEqualTo("b");
    }

    @Test
    void aLineCanBeParsedFromTheMiddleOfABuffer() throws Exception {
        final byte[] buf = "garbage{\"evt.time\":5}garbage".getBytes(StandardCharsets.UTF_8);

        assertThat(parser.parse(buf, 7, 14).timeNanos()).isEqualTo(5);
    }

    private static String agent(final String type, final String members) {
        return "{\"time\":\"2026-11-22T10:15:30Z\",\"agent\":\"ci-runner\",\"session\":\"s-1\",\"type\":\""
                + type + "\"," + members + "}";
    }

    private Event parse(final String line) throws LineRejectedException {
        return parse(parser, line);
    }

    private static Event parse(final NdjsonParser parser, final String line) throws LineRejectedException {
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return parser.parse(bytes, 0, bytes.length);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(final String line, final Reason reason) {
        return assertThatThrownBy(() -> parse(line))
                .isInstanceOfSatisfying(LineRejectedException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
