/**
 * Masking of secrets (API keys, tokens, passwords in URLs, private keys) in alerts before they
 * leave the process: {@link dev.peregrine.alerting.redaction.Redactor} finds them with
 * configurable patterns, {@link dev.peregrine.alerting.redaction.RedactingSink} puts it in front
 * of every sink.
 */
package dev.peregrine.alerting.redaction;
