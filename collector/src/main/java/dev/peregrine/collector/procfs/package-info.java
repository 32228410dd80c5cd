/** The live OS source of {@code peregrine run}: new and exited processes found by polling {@code /proc}. */
package dev.peregrine.collector.procfs;
