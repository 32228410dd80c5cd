package dev.peregrine.engine.slopsquat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.ndjson.LineRejectedException;
import dev.peregrine.collector.ndjson.NdjsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlopsquatDetectorTest {

    private static List<Event> trace(final String name) throws IOException, LineRejectedException {
        final NdjsonParser parser = new NdjsonParser();
        final List<Event> events = new ArrayList<>();
        try (InputStream in = SlopsquatDetectorTest.class.getResourceAsStream("/slopsquat/" + name);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                events.add(parser.parse(bytes, 0, bytes.length));
            }
        }
        return events;
    }

    private static List<Alert> replay(final SlopsquatDetector detector, final List<Event> events) {
        final List<Alert> alerts = new ArrayList<>();
        for (final Event event : events) {
            detector.onEvent(event, alerts::add);
        }
        return alerts;
    }

    private static SlopsquatDetector detector(final AllowList allowList) {
        return new SlopsquatDetector(ShippedSnapshots.checker().withAllowList(allowList));
    }

    @Test
    void agentInstallingAnInventedPackageAlertsWithTheEvidence() throws Exception {
        final List<Alert> alerts = replay(detector(AllowList.empty()), trace("agent-installs-hallucinated.ndjson"));

        assertThat(alerts).extracting(Alert::ruleId).containsExactly(
                "slopsquat_not_in_registry", "slopsquat_typosquat", "slopsquat_typosquat");

        final Alert invented = alerts.get(0);
        assertThat(invented.priority()).isEqualTo(Priority.WARNING);
        assertThat(invented.agent()).isEqualTo("ci-runner");
        assertThat(invented.session()).isEqualTo("s-8f2c");
        assertThat(invented.outputFields()).containsAllEntriesOf(Map.of(
                "package.name", "flask-gpt-helper",
                "package.spec", "flask-gpt-helper==0.3.1",
                "package.tool", "pip install",
                "package.presence", "absent",
                "slopsquat.snapshot_date", "2026-11-27",
                "slopsquat.snapshot_coverage", "complete"));
        assertThat(invented.output()).contains("package=flask-gpt-helper", "presence=absent", "snapshot=2026-11-27",
                "command=pip install --quiet flask-gpt-helper==0.3.1");

        final Alert typo = alerts.get(1);
        assertThat(typo.priority()).isEqualTo(Priority.ERROR);
        assertThat(typo.outputFields()).containsAllEntriesOf(Map.of(
                "package.name", "reqeusts",
                "package.tool", "python3 -m pip install",
                "slopsquat.closest", "requests",
                "slopsquat.distance", 1L,
                "slopsquat.technique", "edit distance"));
        assertThat(typo.output()).contains("closest_popular=requests", "distance=1");

        final Alert npm = alerts.get(2);
        assertThat(npm.outputFields()).containsEntry("slopsquat.closest", "cross-env")
                .containsEntry("slopsquat.technique", "separator")
                .containsEntry("package.ecosystem", "npm")
                .containsEntry("package.downloads_a_month", 10533L)
                .containsEntry("slopsquat.snapshot_coverage", "partial");
    }

    @Test
    void installingPopularPackagesRaisesNothing() throws Exception {
        final SlopsquatDetector detector = detector(AllowList.empty());

        assertThat(replay(detector, trace("agent-installs-benign.ndjson"))).isEmpty();
        assertThat(detector.installsSeen()).isEqualTo(3);
    }

    @Test
    void theSameTraceGivesTheSameAlertIds() throws Exception {
        final List<Event> events = trace("agent-installs-hallucinated.ndjson");

        assertThat(replay(detector(AllowList.empty()), events)).extracting(Alert::id)
                .isEqualTo(replay(detector(AllowList.empty()), events).stream().map(Alert::id).toList())
                .doesNotHaveDuplicates();
    }

    @Test
    void allowListedPrivatePackagesAreNotFlagged() throws Exception {
        final AllowList allowList = AllowList.of(List.of("pypi:Flask_GPT.helper", "npm:cross*"));

        assertThat(replay(detector(allowList), trace("agent-installs-hallucinated.ndjson")))
                .extracting(Alert::ruleId).containsExactly("slopsquat_typosquat");
    }

    @Test
    void directUrlsAndRequirementFilesAreReportedAsSuch() throws Exception {
        final Event event = trace("agent-installs-benign.ndjson").get(0).toBuilder()
                .set(dev.peregrine.collector.event.StandardFields.PROC_CMDLINE,
                        "pip install -r requirements.txt git+https://github.com/someone/tool.git")
                .build();
        final List<Alert> alerts = new ArrayList<>();

        detector(AllowList.empty()).onEvent(event, alerts::add);

        assertThat(alerts).extracting(Alert::ruleId)
                .containsExactly("slopsquat_requirements_file", "slopsquat_direct_url_install");
        assertThat(alerts.get(1).outputFields()).containsEntry("package.spec", "git+https://github.com/someone/tool.git");
    }

    @Test
    void anAgentsShellToolCallIsCheckedBeforeAnyProcessRunsIt() throws Exception {
        // what Claude Code's PreToolUse hook reports for its Bash tool: the command, not yet run
        final List<Alert> alerts = replay(detector(AllowList.empty()), trace("agent-tool-call-install.ndjson"));

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("slopsquat_not_in_registry");
            assertThat(alert.agent()).isEqualTo("claude-code");
            assertThat(alert.outputFields()).containsEntry("package.name", "flask-gpt-helper");
        });
    }
}
