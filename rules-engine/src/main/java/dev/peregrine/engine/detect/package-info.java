/**
 * The built-in behavioural detections (spec §4), each a {@link dev.peregrine.engine.Detector}
 * that runs after the per-event rules, on event time only, so a replay raises the same alerts as
 * live processing.
 *
 * <table>
 *   <caption>Detections and their rule ids</caption>
 *   <tr><th>rule id</th><th>class</th><th>fires when</th></tr>
 *   <tr><td>{@code denied_burst}</td><td>{@link dev.peregrine.engine.detect.DeniedBurstDetector}</td>
 *       <td>a session gets 10 permission denials within 60 s (agent {@code tool.outcome=denied},
 *       OS {@code EACCES}/{@code EPERM}); one alert per burst</td></tr>
 *   <tr><td>{@code denied_burst.probing}</td><td>the same</td>
 *       <td>denials on 5 distinct resources within 5 minutes</td></tr>
 *   <tr><td>{@code volume_spike}</td><td>{@link dev.peregrine.engine.detect.VolumeSpikeDetector}</td>
 *       <td>an agent's events in one minute reach 10x its baseline and at least 30, after 1 h of warm-up</td></tr>
 *   <tr><td>{@code off_hours}</td><td>{@link dev.peregrine.engine.detect.OffHoursDetector}</td>
 *       <td>an agent acts outside its configured hours (time zone, days, holidays) or, without
 *       any, outside the hours learned in its first 7 days</td></tr>
 *   <tr><td>{@code new_resource}</td><td>{@link dev.peregrine.engine.detect.NewResourceDetector}</td>
 *       <td>an agent first touches a tool resource, file directory or remote host after its 24 h learning period</td></tr>
 *   <tr><td>{@code token_budget}</td><td>{@link dev.peregrine.engine.detect.TokenBudgetDetector}</td>
 *       <td>LLM tokens of a session or of an agent's day cross 50/75/90/100 % of the budget; one alert per threshold</td></tr>
 *   <tr><td>{@code token_budget.rate}</td><td>the same</td><td>more than 120 LLM calls by an agent in one minute</td></tr>
 *   <tr><td>{@code sensor_silent}</td><td>{@link dev.peregrine.engine.detect.SensorSilentDetector}</td>
 *       <td>a source on a sandbox that was sending sends nothing for more than 5 minutes</td></tr>
 *   <tr><td>{@code memory_anomaly.*}</td><td>{@link dev.peregrine.engine.memory.MemoryDetector}</td>
 *       <td>an anomalous LLM-memory write (cross-namespace, burst, oversize, instruction-like or secret
 *       content, foreign URLs, encoded blobs, invisible Unicode) or a read of a flagged entry by
 *       another agent; settings in {@link dev.peregrine.engine.detect.MemoryAnomalySettings}</td></tr>
 * </table>
 *
 * <p>{@link dev.peregrine.engine.detect.RateBaseline} is the per-window count against an
 * exponentially weighted baseline that {@code volume_spike} and {@code memory_anomaly.write_burst}
 * share.
 *
 * <p>Settings: {@link dev.peregrine.engine.detect.DetectionSettings#parse} reads the
 * {@code detections:} section of the config file (every knob has a default; each detection takes
 * per-agent overrides under {@code agents:}); errors name the key, file, line and column. A
 * runner builds the detectors with
 * {@link dev.peregrine.engine.detect.BuiltInDetectors#create(DetectionSettings, dev.peregrine.engine.state.StateStore)};
 * what they learn (baselines, learned hours, first-seen sets, budgets, sensors' last events) lives
 * in that {@link dev.peregrine.engine.state.StateStore} and survives a restart. Short-lived window
 * state (denial bursts, episode and rate counters) is in memory, bounded and evicted when idle.
 *
 * <p>{@code docs/detections.md} describes each detection with its knobs and an example alert.
 */
package dev.peregrine.engine.detect;
