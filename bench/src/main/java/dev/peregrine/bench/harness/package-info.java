/** The end-to-end benchmark harness behind {@code peregrine bench}: a seeded event mix, five measured stages, one table. */
package dev.peregrine.bench.harness;
