/** Linux audit ({@code audit.log}) input: record syntax, multi-record event assembly, mapping onto fields. */
package dev.peregrine.collector.auditd;
