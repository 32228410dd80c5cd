/** Alerts on the console: JSON lines or one readable, optionally coloured, line of text each. */
package dev.peregrine.alerting.console;
