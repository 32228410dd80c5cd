package dev.peregrine.collector.tetragon;

import static dev.peregrine.collector.deadletter.Rejection.Reason.MALFORMED_JSON;
import static dev.peregrine.collector.deadletter.Rejection.Reason.MISSING_FIELD;
import static dev.peregrine.collector.deadletter.Rejection.Reason.UNKNOWN_FORMAT;
import static dev.peregrine.collector.event.StandardFields.CONTAINER_ID;
import static dev.peregrine.collector.event.StandardFields.CONTAINER_IMAGE_REPOSITORY;
import static dev.peregrine.collector.event.StandardFields.CONTAINER_NAME;
import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_L4PROTO;
import static dev.peregrine.collector.event.StandardFields.FD_NAME;
import static dev.peregrine.collector.event.StandardFields.FD_SIP;
import static dev.peregrine.collector.event.StandardFields.FD_SPORT;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_CMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_CWD;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PCMDLINE;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PNAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static dev.peregrine.collector.event.StandardFields.USER_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.peregrine.collector.deadletter.Rejection;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.collector.event.Timestamps;
import dev.peregrine.collector.ndjson.LineReader;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.source.LineSource;
import dev.peregrine.collector.source.SourceListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TetragonJsonParserTest {

    private static final String FIXTURES = "/dev/peregrine/collector/tetragon/";

    private final TetragonJsonParser parser = new TetragonJsonParser();

    private Event parse(final String line) throws LineRejectedException {
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return parser.parse(bytes, 0, bytes.length);
    }

    /** A pretty-printed fixture as one NDJSON line, as Tetragon's export writes it. */
    private static String compact(final String file) throws IOException {
        final JsonFactory json = new JsonFactory();
        final StringWriter out = new StringWriter();
        try (InputStream in = TetragonJsonParserTest.class.getResourceAsStream(FIXTURES + file);
             JsonParser parser = json.createParser(in);
             JsonGenerator generator = json.createGenerator(out)) {
            parser.nextToken();
            generator.copyCurrentStructure(parser);
        }
        return out.toString();
    }

    @Test
    void exportFileOfExecsBecomesExecveEvents() throws IOException {
        final List<Event> events = new ArrayList<>();
        final List<Rejection> rejections = new ArrayList<>();
        LineSource.of("tetragon", getClass().getResourceAsStream(FIXTURES + "testdata_events.json"), parser,
                LineReader.DEFAULT_MAX_LINE_BYTES).read(new SourceListener() {
                    @Override
                    public void onEvent(final Event event) {
                        events.add(event);
                    }

                    @Override
                    public void onRejected(final Rejection rejection) {
                        rejections.add(rejection);
                    }
                });

        assertThat(rejections).isEmpty();
        assertThat(events).hasSize(3).allSatisfy(e -> {
            assertThat(e.getString(EVT_TYPE)).isEqualTo("execve");
            assertThat(e.getString(EVT_SOURCE)).isEqualTo("tetragon");
            assertThat(e.getString(EVT_RES)).isEqualTo("SUCCESS");
            assertThat(e.getString(HOST_NAME)).isEqualTo("my-node");
            assertThat(e.getString(PROC_PNAME)).isEqualTo("containerd-shim-runc-v2");
        });
        final Event netserver = events.get(0);
        assertThat(netserver.timeNanos()).as("no 'time': the process start time")
                .isEqualTo(Timestamps.parseRfc3339("2022-10-18T03:16:18.273546829Z"));
        assertThat(netserver.getString(PROC_EXE)).isEqualTo("/usr/bin/netserver");
        assertThat(netserver.getString(PROC_NAME)).isEqualTo("netserver");
        assertThat(netserver.getString(PROC_CMDLINE)).isEqualTo("netserver -D");
        assertThat(netserver.get(PROC_PID)).isEqualTo(68790L);
        assertThat(netserver.get(PROC_PPID)).isEqualTo(68598L);
        assertThat(netserver.getString(CONTAINER_ID)).isEqualTo("19a02291e106");
        assertThat(netserver.getString(CONTAINER_NAME)).isEqualTo("spaceship");
        assertThat(netserver.getString(CONTAINER_IMAGE_REPOSITORY)).isEqualTo("docker.io/tgraf/netperf");
        assertThat(netserver.extra("k8s.pod.name")).isEqualTo("tiefighter");
        assertThat(netserver.extra("k8s.ns.name")).isEqualTo("default");

        final Event deathstar = events.get(1);
        assertThat(deathstar.timeNanos()).isEqualTo(Timestamps.parseRfc3339("2022-10-18T03:16:21.373327754Z"));
        assertThat(deathstar.getString(PROC_ARGS)).isEqualTo("--port 80 --host 0.0.0.0");
        assertThat(deathstar.getString(PROC_PCMDLINE)).isEqualTo("containerd-shim-runc-v2 -namespace k8s.io -id "
                + "ce48a1a18b0c84bc7ec07abfa73c606d32329f0a372c167965ac4c249276e892 -address /run/containerd/containerd.sock");
    }

    @Test
    void prettyPrintedExecFromTheDocsMapsCurlInAPod() throws Exception {
        final Event curl = parse(compact("00_four_golden_signals__process_exec.json"));

        assertThat(curl.getString(EVT_TYPE)).isEqualTo("execve");
        assertThat(curl.getString(PROC_CMDLINE)).isEqualTo("curl www.google.com");
        assertThat(curl.getString(PROC_CWD)).isEqualTo("/usr/share/elasticsearch/");
        assertThat(curl.get(USER_UID)).isEqualTo(0L);
        assertThat(curl.getString(CONTAINER_ID)).isEqualTo("86eb9e29a77d");
        assertThat(curl.getString(PROC_PNAME)).isEqualTo("bash");
        assertThat(curl.getString(PROC_PCMDLINE)).isEqualTo("bash");
        assertThat(curl.getString(HOST_NAME)).isEqualTo("minikube");
    }

    @Test
    void theDocsExecGivesParentExeUnsetLoginUidAndTheFullImage() throws Exception {
        final Event curl = parse(compact("00_four_golden_signals__process_exec.json"));

        assertThat(curl.getString(StandardFields.PROC_PEXE)).isEqualTo("/bin/bash");
        assertThat(curl.getString(StandardFields.PROC_EXEPATH)).isEqualTo("/usr/bin/curl");
        assertThat(curl.get(StandardFields.USER_LOGINUID)).isEqualTo(-1L);
        assertThat(curl.getString(StandardFields.CONTAINER_IMAGE))
                .startsWith("quay.io/isovalent/jobs-app-elasticsearch");
    }

    @Test
    void aTcpConnectKprobeIsAnIpv4ClientConnection() throws Exception {
        final Event connect = parse("{\"process_kprobe\":{\"process\":{\"pid\":43,\"binary\":\"/usr/bin/curl\"},"
                + "\"function_name\":\"tcp_connect\",\"args\":[{\"sock_arg\":{\"family\":\"AF_INET\","
                + "\"saddr\":\"10.0.0.7\",\"daddr\":\"169.254.169.254\",\"sport\":40512,\"dport\":80}}]},"
                + "\"node_name\":\"sbx-host-1\",\"time\":\"2026-11-22T10:15:30.123Z\"}");

        assertThat(connect.getString(StandardFields.FD_TYPECHAR)).isEqualTo("4");
        assertThat(connect.getString(StandardFields.FD_CIP)).isEqualTo("10.0.0.7");
        assertThat(connect.get(StandardFields.FD_LPORT)).isEqualTo(40512L);
        assertThat(connect.getString(StandardFields.FD_RIP)).isEqualTo("169.254.169.254");
        assertThat(connect.get(StandardFields.FD_RPORT)).isEqualTo(80L);
    }

    @Test
    void writeKprobeGivesTheSyscallAndTheFile() throws Exception {
        final Event write = parse(compact("00_four_golden_signals__process_kprobe.json"));

        assertThat(write.getString(EVT_TYPE)).isEqualTo("write");
        assertThat(write.extra("tetragon.function")).isEqualTo("__x64_sys_write");
        assertThat(write.getString(FD_NAME)).as("leading slash restored").isEqualTo("/etc/passwd");
        assertThat(write.getString(PROC_CMDLINE)).isEqualTo("vi /etc/passwd");
        assertThat(write.extra("tetragon.action")).isEqualTo("KPROBE_ACTION_POST");
        assertThat(write.timeNanos()).isEqualTo(Timestamps.parseRfc3339("2021-10-18T20:08:55.567Z"));
    }

    @Test
    void tcpConnectKprobeGivesTheServerEnd() throws Exception {
        final Event connect = parse("{\"process_kprobe\":{\"process\":{\"pid\":7,\"binary\":\"/usr/bin/curl\","
                + "\"arguments\":\"http://169.254.169.254/\"},\"function_name\":\"tcp_connect\",\"args\":[\"junk\","
                + "{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\","
                + "\"saddr\":\"10.0.0.5\",\"daddr\":\"169.254.169.254\",\"sport\":40000,\"dport\":80}}],"
                + "\"policy_name\":\"connect\"},\"node_name\":\"n1\",\"time\":\"2026-11-22T10:00:00Z\"}");

        assertThat(connect.getString(EVT_TYPE)).isEqualTo("connect");
        assertThat(connect.getString(FD_SIP)).isEqualTo("169.254.169.254");
        assertThat(connect.get(FD_SPORT)).isEqualTo(80L);
        assertThat(connect.getString(FD_L4PROTO)).isEqualTo("tcp");
        assertThat(connect.getString(FD_NAME)).isEqualTo("10.0.0.5:40000->169.254.169.254:80");
        assertThat(connect.extra("tetragon.policy")).isEqualTo("connect");
    }

    @Test
    void fileOpenKprobesAreOpenat() throws Exception {
        final Event open = parse("{\"process_kprobe\":{\"process\":{\"binary\":\"/bin/cat\"},\"function_name\":"
                + "\"security_file_open\",\"args\":[{\"file_arg\":{\"path\":\"/etc/shadow\",\"permission\":\"-rw-r-----\"}}]},"
                + "\"time\":\"2026-11-22T10:00:00Z\"}");
        assertThat(open.getString(EVT_TYPE)).isEqualTo("openat");
        assertThat(open.getString(FD_NAME)).isEqualTo("/etc/shadow");
    }

    @Test
    void exitIsProcexitWithStatus() throws Exception {
        final Event exit = parse("{\"process_exit\":{\"process\":{\"pid\":9,\"binary\":\"/bin/sh\"},\"parent\":{\"pid\":1,"
                + "\"binary\":\"/sbin/init\"},\"status\":1},\"time\":\"2026-11-22T10:00:01Z\"}");
        assertThat(exit.getString(EVT_TYPE)).isEqualTo("procexit");
        assertThat(exit.extra("tetragon.status")).isEqualTo(1L);
        assertThat(exit.get(PROC_PPID)).isEqualTo(1L);
    }

    @Test
    void otherExportTypesAreSkippedAndNonTetragonLinesRejected() throws Exception {
        assertThat(parse("{\"process_loader\":{\"process\":{\"pid\":1}},\"time\":\"2026-11-22T10:00:00Z\"}")).isNull();
        assertThat(parser.skippedByType()).containsEntry("process_loader", 1L);

        assertThatThrownBy(() -> parse("{\"evt.type\":\"execve\"}"))
                .isInstanceOfSatisfying(LineRejectedException.class, e -> assertThat(e.reason()).isEqualTo(UNKNOWN_FORMAT));
        assertThatThrownBy(() -> parse("{\"process_exit\":{\"process\":{\"pid\":1}}}"))
                .isInstanceOfSatisfying(LineRejectedException.class, e -> assertThat(e.reason()).isEqualTo(MISSING_FIELD));
        assertThatThrownBy(() -> parse("{\"process_exec\":"))
                .isInstanceOfSatisfying(LineRejectedException.class, e -> assertThat(e.reason()).isEqualTo(MALFORMED_JSON));
    }

    @Test
    void containerIdsAndImagesFollowFalco() {
        assertThat(TetragonJsonParser.shortId("docker://86eb9e29a77d432a")).isEqualTo("86eb9e29a77d");
        assertThat(TetragonJsonParser.shortId("abc")).isEqualTo("abc");
        assertThat(TetragonJsonParser.repository("quay.io:443/a/b:1.2@sha256:ff")).isEqualTo("quay.io:443/a/b");
        assertThat(TetragonJsonParser.repository("localhost:5000/app")).isEqualTo("localhost:5000/app");
    }
}
