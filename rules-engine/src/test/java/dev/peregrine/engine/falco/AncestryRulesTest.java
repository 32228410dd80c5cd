package dev.peregrine.engine.falco;

import static dev.peregrine.collector.event.StandardFields.EVT_RES;
import static dev.peregrine.collector.event.StandardFields.EVT_SOURCE;
import static dev.peregrine.collector.event.StandardFields.EVT_TYPE;
import static dev.peregrine.collector.event.StandardFields.FD_SIP;
import static dev.peregrine.collector.event.StandardFields.HOST_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_ARGS;
import static dev.peregrine.collector.event.StandardFields.PROC_EXE;
import static dev.peregrine.collector.event.StandardFields.PROC_NAME;
import static dev.peregrine.collector.event.StandardFields.PROC_PID;
import static dev.peregrine.collector.event.StandardFields.PROC_PPID;
import static dev.peregrine.collector.event.StandardFields.SANDBOX_ID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.FieldRegistry;
import dev.peregrine.collector.proctree.ProcessTrees;
import dev.peregrine.engine.rules.RuleLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Falco-style rules on process ancestry, over events a process tree enriched: trace in, alerts out. */
class AncestryRulesTest {

    private static final long T0 = 1_795_000_000_000_000_000L;

    private static final String RULES = """
            - list: agent_runners
              items: [python3, node]
            - rule: Agent shell tool reached the metadata service
              desc: a shell run by an agent runner connects to the cloud metadata service
              condition: >
                evt.type = connect and fd.sip = 169.254.169.254
                and proc.pname in (bash, sh) and proc.aname[2] in (agent_runners)
              output: >
                metadata service contacted (proc=%proc.name parent=%proc.pname gparent=%proc.aname[2]
                gpid=%proc.apid[2] ggparent=%proc.aname[3] gggparent=%proc.aname[4])
              priority: WARNING
            - rule: Connect outside an ssh session
              desc: any connect whose ancestors include no sshd
              condition: evt.type = connect and not proc.aname in (sshd)
              output: "connect by %proc.name (parent %proc.aname)"
              priority: NOTICE
            """;

    private static Event exec(final long pid, final long ppid, final String exe, final String args) {
        return Event.builder().time(T0 + pid).set(EVT_SOURCE, "auditd").set(HOST_NAME, "sbx-host-1")
                .set(SANDBOX_ID, "sbx-12").set(EVT_TYPE, "execve").set(EVT_RES, "SUCCESS").set(PROC_PID, pid)
                .set(PROC_PPID, ppid).set(PROC_NAME, exe.substring(exe.lastIndexOf('/') + 1)).set(PROC_EXE, exe)
                .set(PROC_ARGS, args).build();
    }

    @Test
    void curlUnderTheAgentsShellToolRaisesTheAncestryRuleWithItsAncestorsInTheOutput() throws Exception {
        final FalcoRuleEvaluator evaluator = new FalcoRuleEvaluator(
                new RuleLoader(FieldRegistry.standard()).load("agent_ancestry.yaml", RULES));
        final ProcessTrees trees = ProcessTrees.withDefaults();
        final List<Event> trace = List.of(
                exec(1, 0, "/sbin/tini", "-- python3 runner.py"),
                exec(7, 1, "/usr/local/bin/python3", "runner.py"),
                exec(42, 7, "/usr/bin/bash", "-c curl -s http://169.254.169.254/"),
                exec(43, 42, "/usr/bin/curl", "-s http://169.254.169.254/"),
                Event.builder().time(T0 + 100).set(EVT_SOURCE, "auditd").set(HOST_NAME, "sbx-host-1")
                        .set(SANDBOX_ID, "sbx-12").set(EVT_TYPE, "connect").set(EVT_RES, "SUCCESS")
                        .set(PROC_PID, 43L).set(PROC_NAME, "curl").set(FD_SIP, "169.254.169.254").build());

        final List<Alert> alerts = new ArrayList<>();
        for (final Event event : trace) {
            alerts.addAll(evaluator.evaluate(trees.enrich(event)));
        }

        assertThat(alerts).extracting(Alert::rule).containsExactlyInAnyOrder(
                "Agent shell tool reached the metadata service", "Connect outside an ssh session");
        assertThat(alerts).filteredOn(a -> a.rule().startsWith("Agent")).singleElement().satisfies(alert -> {
            assertThat(alert.output()).isEqualTo("metadata service contacted (proc=curl parent=bash gparent=python3"
                    + " gpid=7 ggparent=tini gggparent=<NA>)");
            assertThat(alert.outputFields()).containsEntry("proc.aname[2]", "python3").containsEntry("proc.apid[2]", 7L);
        });
        assertThat(alerts).filteredOn(a -> a.rule().startsWith("Connect")).singleElement()
                .extracting(Alert::output).isEqualTo("connect by curl (parent bash)");
    }
}
