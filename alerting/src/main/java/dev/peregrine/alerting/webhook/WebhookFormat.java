package dev.peregrine.alerting.webhook;

/** The body a webhook receives. */
public enum WebhookFormat {
    /** The alert object exactly as {@link dev.peregrine.alerting.AlertJson} writes it (spec §3). */
    GENERIC,
    /** A Slack incoming-webhook message with one legacy attachment; see {@link SlackMessage}. */
    SLACK
}
