/** Alerts POSTed as JSON to an HTTP webhook (generic, or Slack incoming-webhook messages). */
package dev.peregrine.alerting.webhook;
