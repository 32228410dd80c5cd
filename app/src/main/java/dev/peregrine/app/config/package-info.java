/**
 * The {@code peregrine.yaml} configuration file: read once at start-up, checked whole, and every
 * problem reported as one line naming the file, line, column and key path.
 */
package dev.peregrine.app.config;
