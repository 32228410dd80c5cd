/** Routing of alerts to sinks by priority, tags and rule id. */
package dev.peregrine.alerting.routing;
