/**
 * Stateful correlation with Esper: {@code - cep:} items of the rule files compiled once
 * ({@link dev.peregrine.engine.cep.CepCompiler}) and run on event time by a
 * {@link dev.peregrine.engine.cep.CepDetector}.
 *
 * <h2>What EPL sees</h2>
 * Two event types. {@code Event}: every normalized event; its properties are the field names of
 * spec §1 with dots written as underscores ({@code proc.name} → {@code proc_name},
 * {@code tool.outcome} → {@code tool_outcome}, {@code fd.sip.name} → {@code fd_sip_name}), typed
 * {@code String}, {@code Long} (ints; {@code evt_time} in epoch nanoseconds) or {@code Boolean},
 * {@code null} when absent; unregistered input keys are the map {@code extras}
 * ({@code extras('status')}). {@code Signal}: a per-event rule match, sent right after its event,
 * or an alert a built-in detector raised on the event (e.g. {@code slopsquat_typosquat}), sent after
 * the detectors ran: {@code rule_id}, {@code rule_name}, {@code priority}, {@code output}, the
 * alert's {@code output_fields} as a map ({@code output_fields('package.name')}), then all of the
 * event's properties. Time windows and {@code timer:within} run on event time.
 *
 * <h2>From a row to an alert</h2>
 * Each item's EPL is its own module (named windows and contexts stay private); its last statement
 * raises the alerts, one per output row. Columns with these names fill the alert:
 * {@code agent_id}, {@code agent_session}, {@code host_name}, {@code evt_source};
 * {@code first_seen} / {@code last_seen} (epoch nanoseconds; default: the time of the event that
 * completed the match, or of the clock when a timer did); {@code count} (default 1). The
 * {@code output} template names columns the same way as fields: {@code %agent.id} reads column
 * {@code agent_id}; those values become {@code output_fields} under the name as written. The id is
 * {@code Alert.deterministicId(rule id, session|agent|host + output, first_seen)}.
 *
 * <pre>
 * - cep: Shell then cloud metadata service
 *   id: shell_then_metadata
 *   epl: |
 *     create window RecentShells#time(5 min) as Signal;
 *     insert into RecentShells select * from Signal(rule_id = 'agent_shell_spawned');
 *     select m.agent_id as agent_id, m.agent_session as agent_session, m.fd_name as fd_name
 *       from Signal(rule_id = 'cloud_metadata_connect') as m
 *       where exists (select * from RecentShells as s where s.agent_session = m.agent_session)
 *   output: Shell then metadata service (agent=%agent.id session=%agent.session connection=%fd.name)
 *   priority: CRITICAL
 * </pre>
 *
 * <h2>Reloads</h2>
 * A rule reload keeps the state of every item it leaves unchanged: same id and same
 * {@link dev.peregrine.engine.cep.CepProgram#fingerprint fingerprint} (SHA-256 of id, EPL, output,
 * name, priority and tags; not the file, line or {@code desc}). Such an item's deployment stays in
 * the runtime, windows, half-matched patterns and timers included. A changed item is undeployed
 * and deployed anew, empty; a removed one stops; a new one starts at the swap
 * ({@link dev.peregrine.engine.cep.CepDetector#apply}).
 */
package dev.peregrine.engine.cep;
