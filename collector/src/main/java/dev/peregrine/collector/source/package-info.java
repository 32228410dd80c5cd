/** Where events come from: the source and listener contracts, line-oriented inputs, followed files. */
package dev.peregrine.collector.source;
