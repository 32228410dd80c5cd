/** Falco's JSON alert output ({@code json_output: true}) as input: one alert line, one event. */
package dev.peregrine.collector.falco;
