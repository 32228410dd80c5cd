/** The analyst console: a JSON API over recent alerts, events, suppressions and the running rules, and the web view served beside it. */
package dev.peregrine.app.console;
