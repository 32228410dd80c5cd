package dev.peregrine.engine.slopsquat;

import dev.peregrine.alerting.Alert;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.Field;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.Detector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Raises {@code slopsquat_*} alerts for package installs: every {@code execve} whose command
 * line is an installer ({@link InstallCommandParser}) has each requested package checked by a
 * {@link PackageChecker}, and each finding becomes one alert carrying its evidence (closest
 * popular name, distance, technique, rank or downloads, snapshot date and coverage) in
 * {@code output_fields}.
 *
 * <p>Alert ids: {@code Alert.deterministicId(ruleId, session|ecosystem:name|pid, eventTime)}, so a
 * replay gives the same ids. Run by a {@code DetectionEngine}, each alert also reaches CEP as a
 * {@code Signal} with these {@code output_fields}; the shipped {@code slopsquat_escalation} item
 * escalates a finding followed by egress or by a process from the package. Called from one
 * engine thread, like every {@link Detector}.
 */
public final class SlopsquatDetector implements Detector {

    private static final List<String> TAGS = List.of("slopsquat", "supply_chain", "package", "mitre_initial_access", "T1195.001");
    private static final List<Field> CONTEXT_FIELDS = List.of(
            StandardFields.AGENT_ID, StandardFields.AGENT_SESSION, StandardFields.SANDBOX_ID, StandardFields.PROC_NAME,
            StandardFields.PROC_CMDLINE, StandardFields.PROC_PID, StandardFields.PROC_CWD, StandardFields.USER_NAME,
            StandardFields.HOST_NAME);

    private final InstallCommandParser parser = new InstallCommandParser();
    private final PackageChecker checker;
    private long installsSeen;
    private long findings;

    /** @param checker decides the verdicts; see {@link #withShippedSnapshots(AllowList)} for the usual one */
    public SlopsquatDetector(final PackageChecker checker) {
        this.checker = Objects.requireNonNull(checker, "checker");
    }

    /** A detector over the snapshots shipped in this jar (PyPI and npm), with {@code allowList} for private packages. */
    public static SlopsquatDetector withShippedSnapshots(final AllowList allowList) {
        return new SlopsquatDetector(new PackageChecker(SnapshotPackageIntel.loadShipped(), allowList));
    }

    /** Install commands seen so far. */
    public long installsSeen() {
        return installsSeen;
    }

    /** Alerts raised so far. */
    public long findings() {
        return findings;
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        final String type = event.getString(StandardFields.EVT_TYPE);
        // tool_call: an agent's shell tool names the command before any process runs it (Claude Code's Bash
        // hook), so the install is caught even where no OS sensor runs; other syscalls only repeat a cmdline
        if (!"execve".equals(type) && !"execveat".equals(type) && !"tool_call".equals(type)) {
            return;
        }
        final String commandLine = event.getString(StandardFields.PROC_CMDLINE);
        if (commandLine == null || commandLine.isBlank()) {
            return;
        }
        final List<PackageRequest> requests = parser.parse(commandLine);
        if (requests.isEmpty()) {
            return;
        }
        installsSeen++;
        for (final PackageRequest request : requests) {
            final Optional<Finding> finding = checker.check(request);
            if (finding.isPresent()) {
                findings++;
                alerts.accept(toAlert(event, finding.get()));
            }
        }
    }

    private static Alert toAlert(final Event event, final Finding finding) {
        final Verdict verdict = finding.verdict();
        final PackageRequest request = finding.request();
        final PackageFacts facts = finding.facts();
        final Map<String, Object> fields = new LinkedHashMap<>();
        for (final Field field : CONTEXT_FIELDS) {
            fields.put(field.name(), event.get(field));
        }
        fields.put("package.ecosystem", request.ecosystem().id());
        fields.put("package.name", request.name().isEmpty() ? null : request.normalizedName());
        fields.put("package.spec", request.spec());
        fields.put("package.tool", request.tool());
        fields.put("package.presence", facts.presence().name().toLowerCase(java.util.Locale.ROOT));
        fields.put("package.rank", facts.rank() > 0 ? facts.rank() : null);
        fields.put("package.downloads_a_month", facts.monthlyDownloads() >= 0 ? facts.monthlyDownloads() : null);
        fields.put("package.young", facts.young());
        final StringBuilder evidence = new StringBuilder();
        evidence.append("package=").append(request.name().isEmpty() ? request.spec() : request.normalizedName())
                .append(" ecosystem=").append(request.ecosystem().id());
        finding.similar().ifPresent(similar -> {
            fields.put("slopsquat.closest", similar.target().name());
            fields.put("slopsquat.distance", (long) similar.distance());
            fields.put("slopsquat.technique", similar.technique());
            fields.put("slopsquat.closest_rank", (long) similar.target().rank());
            fields.put("slopsquat.closest_downloads_a_month",
                    similar.target().monthlyDownloads() >= 0 ? similar.target().monthlyDownloads() : null);
            evidence.append(" closest_popular=").append(similar.target().name())
                    .append(" distance=").append(similar.distance())
                    .append(" technique=").append(similar.technique().replace(' ', '_'))
                    .append(" closest_rank=").append(similar.target().rank());
        });
        evidence.append(" presence=").append(fields.get("package.presence"));
        if (facts.rank() > 0) {
            evidence.append(" rank=").append(facts.rank());
        }
        if (facts.monthlyDownloads() >= 0) {
            evidence.append(" downloads_a_month=").append(facts.monthlyDownloads());
        }
        if (facts.young()) {
            evidence.append(" young=true");
        }
        final SnapshotInfo snapshot = facts.snapshot();
        if (snapshot != null) {
            fields.put("slopsquat.snapshot_date", snapshot.date());
            fields.put("slopsquat.snapshot_coverage", snapshot.complete() ? "complete" : "partial");
            evidence.append(" snapshot=").append(snapshot.date())
                    .append(snapshot.complete() ? " (complete)" : " (partial)");
        }
        fields.put("slopsquat.verdict", verdict.name().toLowerCase(java.util.Locale.ROOT));
        final String session = firstNonEmpty(event.getString(StandardFields.AGENT_SESSION),
                event.getString(StandardFields.AGENT_ID), event.getString(StandardFields.HOST_NAME));
        final String output = verdict.ruleName() + " (" + evidence + " tool=" + request.tool()
                + " command=" + event.getString(StandardFields.PROC_CMDLINE)
                + " agent=" + nullToEmpty(event.getString(StandardFields.AGENT_ID))
                + " session=" + nullToEmpty(event.getString(StandardFields.AGENT_SESSION))
                + " pid=" + (event.get(StandardFields.PROC_PID) == null ? "" : event.get(StandardFields.PROC_PID)) + ")";
        final String key = session + "|" + request.ecosystem().id() + ":"
                + (request.name().isEmpty() ? request.spec() : request.normalizedName())
                + "|" + event.get(StandardFields.PROC_PID);
        final long time = event.timeNanos();
        return new Alert(Alert.deterministicId(verdict.ruleId(), key, time), time, verdict.ruleId(), verdict.ruleName(),
                verdict.priority(), event.getString(StandardFields.EVT_SOURCE), event.getString(StandardFields.HOST_NAME),
                tagsFor(request.ecosystem()), output, fields, event.getString(StandardFields.AGENT_ID),
                event.getString(StandardFields.AGENT_SESSION), 1, time, time);
    }

    private static List<String> tagsFor(final Ecosystem ecosystem) {
        final List<String> tags = new java.util.ArrayList<>(TAGS);
        tags.add(ecosystem.id());
        return tags;
    }

    private static String firstNonEmpty(final String... values) {
        for (final String value : values) {
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return "";
    }

    private static String nullToEmpty(final String value) {
        return value == null ? "" : value;
    }
}
