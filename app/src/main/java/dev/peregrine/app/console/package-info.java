/** The analyst console: a JSON API over recent alerts, events and suppressions, and the web view served beside it. */
package dev.peregrine.app.console;
