/**
 * Alerts indexed into Elasticsearch as Elastic Common Schema documents, {@code _id} = alert id.
 *
 * <p>How an {@link dev.peregrine.alerting.Alert} becomes a document ({@link
 * dev.peregrine.alerting.elasticsearch.EcsDocument}); the index template
 * ({@code index-template.json} beside this class) maps every field explicitly.
 *
 * <table>
 *   <caption>Alert / Falco field → ECS field</caption>
 *   <tr><th>Alert or output field</th><th>ECS field</th><th>type</th></tr>
 *   <tr><td>time</td><td>{@code @timestamp}</td><td>date_nanos</td></tr>
 *   <tr><td>output</td><td>{@code message}, {@code rule.description}</td><td>text, keyword</td></tr>
 *   <tr><td>(constant)</td><td>{@code event.kind: alert}, {@code event.module: peregrine},
 *       {@code event.dataset: peregrine.alerts}, {@code rule.ruleset: peregrine}, {@code ecs.version}</td><td>keyword</td></tr>
 *   <tr><td>id</td><td>{@code event.id}, {@code peregrine.id}, and the document {@code _id}</td><td>keyword</td></tr>
 *   <tr><td>priority</td><td>{@code event.severity} (syslog number: 0 Emergency … 7 Debug),
 *       {@code peregrine.priority} (name)</td><td>long, keyword</td></tr>
 *   <tr><td>source</td><td>{@code event.provider}, {@code peregrine.source}</td><td>keyword</td></tr>
 *   <tr><td>first_seen / last_seen</td><td>{@code event.start} / {@code event.end}, and under {@code peregrine.}</td><td>date_nanos</td></tr>
 *   <tr><td>rule_id</td><td>{@code rule.id}, {@code peregrine.rule_id}</td><td>keyword</td></tr>
 *   <tr><td>rule</td><td>{@code rule.name}</td><td>keyword</td></tr>
 *   <tr><td>tags</td><td>{@code tags}</td><td>keyword</td></tr>
 *   <tr><td>tags {@code T1059}</td><td>{@code threat.technique.id}, {@code threat.framework: MITRE ATT&amp;CK}</td><td>keyword</td></tr>
 *   <tr><td>tags {@code T1059.004}</td><td>{@code threat.technique.subtechnique.id} (and {@code T1059} in
 *       {@code threat.technique.id})</td><td>keyword</td></tr>
 *   <tr><td>tags {@code mitre_credential_access}</td><td>{@code threat.tactic.name: Credential Access}</td><td>keyword</td></tr>
 *   <tr><td>hostname, {@code host.name}</td><td>{@code host.name}</td><td>keyword</td></tr>
 *   <tr><td>agent / session</td><td>{@code peregrine.agent} / {@code peregrine.session} (ECS {@code agent.*}
 *       describes the shipper, not the AI agent)</td><td>keyword</td></tr>
 *   <tr><td>count</td><td>{@code peregrine.count}, and the document version (external_gte)</td><td>long</td></tr>
 *   <tr><td>{@code proc.name}</td><td>{@code process.name}</td><td>keyword</td></tr>
 *   <tr><td>{@code proc.exe}</td><td>{@code process.executable}</td><td>keyword</td></tr>
 *   <tr><td>{@code proc.cmdline}</td><td>{@code process.command_line}</td><td>keyword</td></tr>
 *   <tr><td>{@code proc.pid}</td><td>{@code process.pid}</td><td>long</td></tr>
 *   <tr><td>{@code proc.cwd}</td><td>{@code process.working_directory}</td><td>keyword</td></tr>
 *   <tr><td>{@code proc.pname}</td><td>{@code process.parent.name}</td><td>keyword</td></tr>
 *   <tr><td>{@code proc.pcmdline}</td><td>{@code process.parent.command_line}</td><td>keyword</td></tr>
 *   <tr><td>{@code proc.ppid}</td><td>{@code process.parent.pid}</td><td>long</td></tr>
 *   <tr><td>{@code user.name}</td><td>{@code user.name}</td><td>keyword</td></tr>
 *   <tr><td>{@code user.uid}</td><td>{@code user.id}</td><td>keyword</td></tr>
 *   <tr><td>{@code container.id}</td><td>{@code container.id}</td><td>keyword</td></tr>
 *   <tr><td>{@code container.name}</td><td>{@code container.name}</td><td>keyword</td></tr>
 *   <tr><td>{@code container.image.repository}</td><td>{@code container.image.name}</td><td>keyword</td></tr>
 *   <tr><td>{@code fd.sip}</td><td>{@code destination.address}</td><td>keyword</td></tr>
 *   <tr><td>{@code fd.sip.name}</td><td>{@code destination.domain}</td><td>keyword</td></tr>
 *   <tr><td>{@code fd.sport}</td><td>{@code destination.port}</td><td>long</td></tr>
 *   <tr><td>{@code fd.l4proto}</td><td>{@code network.transport}</td><td>keyword</td></tr>
 *   <tr><td>{@code http.method}</td><td>{@code http.request.method}</td><td>keyword</td></tr>
 *   <tr><td>{@code http.url}</td><td>{@code url.full}</td><td>keyword</td></tr>
 *   <tr><td>{@code http.status}</td><td>{@code http.response.status_code}</td><td>long</td></tr>
 *   <tr><td>{@code http.bytes_out}</td><td>{@code http.request.bytes}</td><td>long</td></tr>
 *   <tr><td>{@code sandbox.id}</td><td>{@code peregrine.sandbox}</td><td>keyword</td></tr>
 *   <tr><td>{@code agent.id}, {@code agent.session}</td><td>left out when equal to agent / session</td><td></td></tr>
 *   <tr><td>any other output field, e.g. {@code fd.name}, {@code tool.action}</td><td>{@code peregrine.fields.<name with dots as _>},
 *       e.g. {@code peregrine.fields.tool_action}</td><td>keyword</td></tr>
 * </table>
 *
 * <p>A numeric field whose value is not a whole number goes to {@code peregrine.fields} instead, so
 * one odd value cannot make a document fail the mapping. {@code process.command_line} and
 * {@code url.full} are {@code keyword} rather than ECS's {@code wildcard}, which needs a module
 * the test distribution lacks.
 */
package dev.peregrine.alerting.elasticsearch;
