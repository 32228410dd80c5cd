package dev.peregrine.app.console;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A link from an alert to Kibana's Discover, for when alerts are indexed into Elasticsearch
 * ({@code alerts.elasticsearch.kibana_url}). The shape is
 * {@code <kibana_url>/app/discover#/?_g=(time:(from:'<time - 1h>',to:'<time + 1h>'))&_a=(query:(language:kuery,query:'event.id:"<alert id>"'))}:
 * Kibana's default data view, the two hours around the alert, filtered on the document the
 * Elasticsearch sink wrote for it ({@code event.id} = alert id).
 *
 * @param base Kibana's address, with its base path if it has one
 */
public record KibanaLink(URI base) {

    private static final Duration AROUND = Duration.ofHours(1);
    /** Alert ids are hex digests or rule-made ids; anything else is not put into a link. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

    public KibanaLink {
        Objects.requireNonNull(base, "base");
    }

    /** Discover filtered on alert {@code id}, raised at {@code time}; empty for an id a link cannot carry. */
    public String discover(final String id, final Instant time) {
        if (!SAFE_ID.matcher(id).matches()) {
            return "";
        }
        String root = base.toString();
        while (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        return root + "/app/discover#/?_g=(time:(from:'" + time.minus(AROUND) + "',to:'" + time.plus(AROUND)
                + "'))&_a=(query:(language:kuery,query:'event.id:%22" + id + "%22'))";
    }
}
