package dev.peregrine.engine.detect;

import dev.peregrine.alerting.Alert;
import dev.peregrine.alerting.AlertJson;
import dev.peregrine.alerting.Priority;
import dev.peregrine.collector.event.Event;
import dev.peregrine.collector.event.StandardFields;
import dev.peregrine.engine.Detector;
import dev.peregrine.engine.state.KeyValueStore;
import dev.peregrine.engine.state.StateCodec;
import dev.peregrine.engine.state.StateStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code new_resource}: an agent touches a resource it has never touched, after its learning
 * period. A resource is one of:
 * <ul>
 *   <li>{@code tool NAME ACTION PREFIX}: a tool call's tool and action with the first
 *       {@code prefix_depth} path segments of {@code tool.resource};</li>
 *   <li>{@code dir DIRECTORY}: the directory of a file the agent's processes opened ({@code fd.directory});</li>
 *   <li>{@code host NAME}: a remote host, from {@code fd.sip.name}, {@code fd.sip} or the host of {@code http.url}.</li>
 * </ul>
 *
 * <p>During {@code learning} after an agent's first event, resources are only remembered; after
 * it, each first access raises one alert and is remembered. At most {@code max_resources} per
 * agent are kept; past that limit nothing new is learned or alerted (logged once per agent), so
 * a runaway agent cannot exhaust memory. First-seen sets live in the {@value #SEEN_STORE} store,
 * per-agent learning state in {@value #AGENT_STORE}. O(1) per event.
 */
public final class NewResourceDetector implements Detector {

    /** The rule id. */
    public static final String RULE_ID = "new_resource";
    /** Per (agent, resource): the event time it was first seen. */
    public static final String SEEN_STORE = "new_resource.seen";
    /** Per agent: first event time and how many resources it has. */
    public static final String AGENT_STORE = "new_resource.agents";

    private static final Logger LOG = LoggerFactory.getLogger(NewResourceDetector.class);
    private static final List<String> TAGS = List.of("peregrine_builtin", "agent", "baseline", "mitre_discovery");

    /**
     * One agent's learning state.
     *
     * @param firstSeen  event time of the agent's first event
     * @param resources  resources remembered
     */
    public record AgentResources(long firstSeen, long resources) {
    }

    static final StateCodec<AgentResources> AGENT_CODEC = new StateCodec<>() {
        @Override
        public String encode(final AgentResources value) {
            return value.firstSeen + " " + value.resources;
        }

        @Override
        public AgentResources decode(final String text) {
            final String[] parts = text.split(" ");
            if (parts.length != 2) {
                throw new IllegalArgumentException("expected 2 values, got " + parts.length);
            }
            return new AgentResources(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        }
    };

    static final StateCodec<Long> TIME_CODEC = new StateCodec<>() {
        @Override
        public String encode(final Long value) {
            return value.toString();
        }

        @Override
        public Long decode(final String text) {
            return Long.parseLong(text);
        }
    };

    private final PerAgent<NewResourceSettings> settings;
    private final KeyValueStore<Long> seen;
    private final KeyValueStore<AgentResources> agents;
    private final Set<String> reportedFull = new HashSet<>();

    public NewResourceDetector(final PerAgent<NewResourceSettings> settings, final StateStore state) {
        this.settings = settings;
        this.seen = state.keyValueStore(SEEN_STORE, TIME_CODEC);
        this.agents = state.keyValueStore(AGENT_STORE, AGENT_CODEC);
    }

    @Override
    public void onEvent(final Event event, final Consumer<Alert> alerts) {
        final String agent = DetectionAlerts.agentKey(event);
        if (agent == null) {
            return;
        }
        final NewResourceSettings s = settings.forAgent(agent);
        if (!s.enabled()) {
            return;
        }
        final long now = event.timeNanos();
        AgentResources learning = agents.get(agent);
        if (learning == null) {
            learning = new AgentResources(now, 0);
            agents.put(agent, learning);
        }
        final String resource = resourceOf(event, s.prefixDepth());
        if (resource == null) {
            return;
        }
        final String key = agent + "\t" + resource;
        if (seen.get(key) != null) {
            return;
        }
        if (learning.resources() >= s.maxResources()) {
            if (reportedFull.add(agent)) {
                LOG.warn("new_resource: agent {} has {} resources, the most kept (max_resources); "
                        + "its new resources are no longer learned or alerted", agent, learning.resources());
            }
            return;
        }
        seen.put(key, now);
        agents.put(agent, new AgentResources(learning.firstSeen(), learning.resources() + 1));
        if (now - learning.firstSeen() >= s.learning().toNanos()) {
            alerts.accept(alert(event, agent, resource, learning, s));
        }
    }

    /** The resource {@code event} touches, or {@code null} when it touches none this detection tracks. */
    static String resourceOf(final Event event, final int prefixDepth) {
        final String action = event.getString(StandardFields.TOOL_ACTION);
        final String tool = event.getString(StandardFields.TOOL_NAME);
        if (action != null || tool != null) {
            final String resource = event.getString(StandardFields.TOOL_RESOURCE);
            return "tool " + (tool == null ? "-" : tool) + " " + (action == null ? "-" : action)
                    + (resource == null ? "" : " " + prefix(resource, prefixDepth));
        }
        final String directory = event.getString(StandardFields.FD_DIRECTORY);
        if (directory != null) {
            return "dir " + directory;
        }
        final String host = event.getString(StandardFields.FD_SIP_NAME);
        if (host != null) {
            return "host " + host;
        }
        final String ip = event.getString(StandardFields.FD_SIP);
        if (ip != null) {
            return "host " + ip;
        }
        final String url = event.getString(StandardFields.HTTP_URL);
        if (url != null) {
            try {
                final String urlHost = new URI(url).getHost();
                return urlHost == null ? null : "host " + urlHost;
            } catch (final URISyntaxException e) {
                return null;
            }
        }
        return null;
    }

    /** The first {@code depth} segments of a path-like resource ({@code repos/acme/api/branches/main} → {@code repos/acme/api}). */
    static String prefix(final String resource, final int depth) {
        int segments = 0;
        boolean inSegment = false;
        for (int i = 0; i < resource.length(); i++) {
            if (resource.charAt(i) == '/') {
                if (inSegment && ++segments == depth) {
                    return resource.substring(0, i);
                }
                inSegment = false;
            } else {
                inSegment = true;
            }
        }
        return resource;
    }

    private static Alert alert(final Event event, final String agent, final String resource,
                               final AgentResources learning, final NewResourceSettings s) {
        final Map<String, Object> fields = DetectionAlerts.identity(event);
        fields.put("resource", resource);
        fields.put("known_resources", learning.resources());
        fields.put("learning_since", AlertJson.formatTime(learning.firstSeen()));
        DetectionAlerts.putPresent(fields, "evt.type", event.getString(StandardFields.EVT_TYPE));
        DetectionAlerts.putPresent(fields, "tool.resource", event.getString(StandardFields.TOOL_RESOURCE));
        DetectionAlerts.putPresent(fields, "fd.name", event.getString(StandardFields.FD_NAME));
        DetectionAlerts.putPresent(fields, "http.url", event.getString(StandardFields.HTTP_URL));
        DetectionAlerts.putPresent(fields, "proc.cmdline", event.getString(StandardFields.PROC_CMDLINE));
        final String output = "New resource for agent=" + agent + " session=" + event.getString(StandardFields.AGENT_SESSION)
                + ": first access to " + resource + " (after " + learning.resources() + " known resources learned since "
                + AlertJson.formatTime(learning.firstSeen()) + ", learning " + DetectionAlerts.human(s.learning()) + ")";
        return DetectionAlerts.alert(RULE_ID, "Agent touched a new resource", Priority.NOTICE, TAGS, event,
                agent + "\t" + resource, event.timeNanos(), output, fields, 1, event.timeNanos());
    }
}
