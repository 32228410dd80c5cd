/** Tetragon's JSON event export ({@code process_exec}, {@code process_exit}, {@code process_kprobe}, …) as input. */
package dev.peregrine.collector.tetragon;
