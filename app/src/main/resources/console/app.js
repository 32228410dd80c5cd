// Peregrine analyst console: plain DOM, no framework, no network beyond this server.
// Data comes from the JSON API with the token kept in sessionStorage; text is only ever set
// through textContent, never parsed as HTML, because alerts carry what agents typed.
'use strict';

const POLL_MS = 2000;
const PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];
const COLOURS = { Emergency: '#6d0019', Alert: '#9b0d23', Critical: '#c8102e', Error: '#d9541e',
  Warning: '#d99a00', Notice: '#2f7d32', Informational: '#3a6ea5', Debug: '#888888' };
const state = { view: 'alerts', filters: {}, cursor: null, detailId: null, ruleId: null, shownRule: null, timer: null };

const $ = (selector) => document.querySelector(selector);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function token() { return sessionStorage.getItem('peregrine.token'); }

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: Object.assign({ Authorization: 'Bearer ' + token() }, body ? { 'Content-Type': 'application/json' } : {}),
    body: body ? JSON.stringify(body) : undefined,
    cache: 'no-store',
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) { logout('That token is not accepted.'); throw new Error('unauthorized'); }
  if (!response.ok) throw new Error(data.message || ('HTTP ' + response.status));
  return data;
}

function status(text) { $('#status').textContent = text; }

function show(view) {
  state.view = view;
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== view + '-view';
  for (const button of document.querySelectorAll('nav button[data-view]')) {
    button.classList.toggle('active', button.dataset.view === view
      || ((view === 'detail' || view === 'rule') && button.dataset.view === 'alerts'));
  }
  refresh();
}

function logout(message) {
  sessionStorage.removeItem('peregrine.token');
  clearInterval(state.timer);
  state.timer = null;
  $('#nav').hidden = true;
  show('login');
  const error = $('#login-error');
  error.hidden = !message;
  error.textContent = message || '';
}

async function login(secret) {
  sessionStorage.setItem('peregrine.token', secret);
  try {
    await api('GET', '/v1/suppressions');
  } catch (e) {
    return;
  }
  $('#login-error').hidden = true;
  $('#nav').hidden = false;
  show('alerts');
  clearInterval(state.timer);
  // polling, not a stream: every view is one small request, and a proxy in between never holds it open
  state.timer = setInterval(refresh, POLL_MS);
}

function query(extra) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(Object.assign({}, state.filters, extra || {}))) {
    if (value !== '' && value !== null && value !== undefined) params.set(name, value);
  }
  return params.toString();
}

async function refresh() {
  if (!token()) return;
  try {
    if (state.view === 'alerts') await refreshAlerts();
    else if (state.view === 'detail') await refreshDetail();
    else if (state.view === 'rule') await refreshRule();
    else if (state.view === 'agents') await refreshAgents();
    else if (state.view === 'suppressions') await refreshSuppressions();
    status('updated ' + new Date().toLocaleTimeString());
  } catch (e) {
    if (e.message !== 'unauthorized') status('error: ' + e.message);
  }
}

// ---- alerts --------------------------------------------------------------------------------

function priorityBadge(priority) { return el('span', { class: 'prio prio-' + priority }, priority); }

function alertRow(entry) {
  const alert = entry.alert;
  return el('tr', { class: entry.ack ? 'acked' : '', 'data-id': alert.id, onclick: () => openAlert(alert.id) },
    el('td', {}, alert.time.replace('T', ' ').slice(0, 19)),
    el('td', {}, priorityBadge(alert.priority)),
    el('td', {}, alert.rule_id),
    el('td', { class: 'agent' }, alert.agent),
    el('td', {}, alert.session),
    el('td', {}, alert.count),
    el('td', { class: 'output', title: alert.output }, alert.output),
    el('td', { class: 'state' }, entry.ack ? 'acknowledged' : 'open'));
}

async function refreshAlerts() {
  const [page, counts] = await Promise.all([
    api('GET', '/v1/alerts?' + query({ limit: 100 })),
    api('GET', '/v1/alerts/counts?' + query({ bucket: 60 })),
  ]);
  const body = $('#alerts tbody');
  body.replaceChildren(...page.alerts.map(alertRow));
  state.cursor = page.next_cursor;
  $('#more').hidden = !page.next_cursor;
  $('#matched').textContent = page.matched + ' alert' + (page.matched === 1 ? '' : 's');
  drawChart(counts.buckets);
  drawByRule(counts.by_rule);
  $('#rules-seen').replaceChildren(...Object.keys(counts.by_rule).map((rule) => el('option', { value: rule })));
  const agents = [...new Set(page.alerts.map((entry) => entry.alert.agent).filter(Boolean))];
  $('#agents-seen').replaceChildren(...agents.map((agent) => el('option', { value: agent })));
}

async function olderAlerts() {
  if (!state.cursor) return;
  const page = await api('GET', '/v1/alerts?' + query({ limit: 100, cursor: state.cursor }));
  $('#alerts tbody').append(...page.alerts.map(alertRow));
  state.cursor = page.next_cursor;
  $('#more').hidden = !page.next_cursor;
}

// a stacked bar per time bucket, one colour per priority; inline SVG, no library
function drawChart(buckets) {
  const svgNs = 'http://www.w3.org/2000/svg';
  const width = 480, height = 120, pad = 18;
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'alerts by priority over time');
  const totals = buckets.map((bucket) => Object.values(bucket.by_priority).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const barWidth = Math.max(2, Math.min(24, (width - pad) / Math.max(1, buckets.length) - 2));
  buckets.forEach((bucket, i) => {
    let y = height - pad;
    for (const priority of PRIORITIES.slice().reverse()) {
      const count = bucket.by_priority[priority] || 0;
      if (!count) continue;
      const h = (count / max) * (height - 2 * pad);
      const rect = document.createElementNS(svgNs, 'rect');
      rect.setAttribute('x', pad + i * (barWidth + 2));
      rect.setAttribute('y', y - h);
      rect.setAttribute('width', barWidth);
      rect.setAttribute('height', h);
      rect.setAttribute('fill', COLOURS[priority]);
      const title = document.createElementNS(svgNs, 'title');
      title.textContent = bucket.start + ': ' + count + ' ' + priority;
      rect.append(title);
      svg.append(rect);
      y -= h;
    }
  });
  const label = document.createElementNS(svgNs, 'text');
  label.setAttribute('x', 2);
  label.setAttribute('y', 12);
  label.setAttribute('font-size', 10);
  label.textContent = 'max ' + max + ' per minute';
  svg.append(label);
  $('#chart').replaceChildren(svg);
}

function drawByRule(byRule) {
  const entries = Object.entries(byRule).sort((a, b) => b[1] - a[1]).slice(0, 10);
  const max = Math.max(1, ...entries.map((entry) => entry[1]));
  $('#by-rule').replaceChildren(...entries.map(([rule, count]) => {
    const bar = el('span', { class: 'bar' });
    bar.style.width = Math.round((count / max) * 120) + 'px';
    return el('li', {}, bar, el('span', {}, rule + ' ' + count));
  }));
}

// ---- alert detail --------------------------------------------------------------------------

function openAlert(id) {
  state.detailId = id;
  show('detail');
}

function eventLine(event, cls) {
  const time = typeof event['evt.time'] === 'number'
    ? new Date(event['evt.time'] / 1e6).toISOString() : String(event['evt.time']);
  const rest = Object.entries(event).filter(([name]) => name !== 'evt.time')
    .map(([name, value]) => name + '=' + JSON.stringify(value)).join(' ');
  return el('li', { class: cls }, time + ' ' + rest);
}

async function refreshDetail() {
  const detail = await api('GET', '/v1/alerts/' + encodeURIComponent(state.detailId));
  const alert = detail.alert;
  $('#detail-title').replaceChildren(priorityBadge(alert.priority), ' ' + alert.rule + ' ',
    el('small', {}, '(', el('a', { href: '#', id: 'rule-link', title: 'the rule as it runs',
      onclick: (event) => { event.preventDefault(); openRule(alert.rule_id); } }, alert.rule_id),
    ', ' + alert.count + '×, ' + alert.time + ')'));
  $('#detail-output').textContent = alert.output;
  // a Kibana link only when alerts go to Elasticsearch and kibana_url is configured
  $('#detail-kibana').replaceChildren(...(detail.kibana_url
    ? [el('a', { href: detail.kibana_url, target: '_blank', rel: 'noopener noreferrer' }, 'Open in Kibana Discover')]
    : []));
  $('#ack').disabled = !!detail.ack;
  $('#ack-state').textContent = detail.ack ? 'acknowledged by ' + detail.ack.by + ' at ' + detail.ack.at : 'open';
  $('#detail-mitre').replaceChildren(...(detail.mitre.length ? detail.mitre : ['none']).map((tag) => el('li', {}, tag)));
  const fields = Object.assign({ id: alert.id, rule_id: alert.rule_id, source: alert.source, hostname: alert.hostname,
    agent: alert.agent, session: alert.session, first_seen: alert.first_seen, last_seen: alert.last_seen,
    tags: alert.tags.join(', ') }, alert.output_fields);
  $('#detail-fields tbody').replaceChildren(...Object.entries(fields).map(([name, value]) =>
    el('tr', {}, el('td', {}, name), el('td', {}, typeof value === 'string' ? value : JSON.stringify(value)))));
  $('#evidence').replaceChildren(...(detail.evidence.length ? detail.evidence.map((e) => eventLine(e, 'evidence'))
    : [el('li', { class: 'marker' }, 'no events of this alert are in the recent window')]));
  $('#timeline').replaceChildren(
    ...detail.timeline.before.map((e) => eventLine(e, 'before')),
    el('li', { class: 'marker' }, '▶ alert: ' + alert.rule_id + ' (' + detail.evidence.length + ' evidence events)'),
    ...detail.timeline.after.map((e) => eventLine(e, 'after')));
  const keys = $('#suppress-keys');
  if (keys.dataset.alert !== alert.id) {
    keys.dataset.alert = alert.id;
    const candidates = Object.assign({ agent: alert.agent, session: alert.session }, alert.output_fields);
    keys.replaceChildren(el('legend', {}, 'Only alerts of rule ' + alert.rule_id + ' with these values'),
      ...Object.entries(candidates).filter(([, value]) => value !== null && value !== '')
        .map(([name, value]) => {
          const box = el('input', { type: 'checkbox', name: 'key', value: name });
          box.checked = name === 'agent';
          return el('label', {}, box, ' ' + name + ' = ' + value);
        }));
  }
  $('#suppressed-by').textContent = detail.suppressed_by.length
    ? 'Suppressed by ' + detail.suppressed_by.map((s) => s.id + ' (' + s.reason + ', until ' + s.expires + ', '
      + s.suppressed + ' dropped)').join('; ')
    : '';
}

async function acknowledge() {
  await api('POST', '/v1/alerts/' + encodeURIComponent(state.detailId) + '/ack');
  await refreshDetail();
}

async function suppress(event) {
  event.preventDefault();
  const form = event.target;
  const keys = [...form.querySelectorAll('input[name=key]:checked')].map((box) => box.value);
  try {
    const added = await api('POST', '/v1/suppressions', { alert_id: state.detailId, keys,
      duration: form.duration.value, reason: form.reason.value });
    status('suppression ' + added.id + ' added');
    form.reason.value = '';
    await refreshDetail();
  } catch (e) {
    status('suppression refused: ' + e.message);
  }
}

// ---- agents and suppressions ---------------------------------------------------------------

// what the built-in detections learned, as of the state's last snapshot
function baseline(learned) {
  const volume = learned && learned.volume_baseline;
  if (!volume) return 'still learning';
  return volume.mean_events_per_window.toFixed(1) + ' over ' + volume.windows + ' windows'
    + (volume.spiking ? ' (spiking now)' : '');
}

function usualHours(learned) {
  const minutes = learned && learned.active_minutes_by_hour;
  if (!minutes) return '';
  const hours = minutes.map((count, hour) => (count > 0 ? hour : null)).filter((hour) => hour !== null);
  return hours.length ? hours.map((hour) => String(hour).padStart(2, '0') + 'h').join(' ') : 'none yet';
}

async function refreshAgents() {
  const data = await api('GET', '/v1/agents');
  $('#learned-as-of').textContent = data.learned_as_of
    ? 'Baselines and usual hours as of the state snapshot of ' + data.learned_as_of
    : 'No learned state on disk yet (run keeps it in its state directory).';
  $('#agents tbody').replaceChildren(...data.agents.map((agent) => el('tr', {},
    el('td', {}, agent.agent), el('td', {}, agent.session), el('td', {}, agent.alerts), el('td', {}, agent.open_alerts),
    el('td', {}, ...Object.entries(agent.alerts_by_priority).map(([p, n]) => el('span', {}, priorityBadge(p), ' ' + n + ' '))),
    el('td', {}, agent.events_in_window), el('td', {}, agent.last_event || ''),
    el('td', {}, baseline(agent.learned)), el('td', { class: 'hours' }, usualHours(agent.learned)),
    el('td', {}, ...agent.recent_alerts.map((entry) =>
      el('div', {}, el('a', { href: '#', onclick: (e) => { e.preventDefault(); openAlert(entry.alert.id); } },
        entry.alert.rule_id), ' ' + entry.alert.time.slice(11, 19)))))));
}

async function refreshSuppressions() {
  const data = await api('GET', '/v1/suppressions');
  $('#suppressions tbody').replaceChildren(...data.suppressions.map((s) => el('tr', { 'data-id': s.id },
    el('td', {}, s.rule_id),
    el('td', {}, Object.entries(s.match).map(([k, v]) => k + '=' + v).join(' ') || '(every alert of the rule)'),
    el('td', {}, s.expires + (s.active ? '' : ' (expired)')), el('td', {}, s.reason), el('td', {}, s.created_by),
    el('td', { class: 'suppressed' }, s.suppressed),
    el('td', {}, el('button', { type: 'button', onclick: async () => {
      await api('DELETE', '/v1/suppressions/' + encodeURIComponent(s.id));
      await refreshSuppressions();
    } }, 'Remove')))));
}

// ---- rule ----------------------------------------------------------------------------------

function openRule(id) {
  state.ruleId = id;
  state.shownRule = null;
  show('rule');
}

async function refreshRule() {
  if (state.shownRule === state.ruleId) return; // a rule changes only on reload: no need to redraw each poll
  const rule = await api('GET', '/v1/rules/' + encodeURIComponent(state.ruleId));
  state.shownRule = state.ruleId;
  $('#rule-title').replaceChildren(rule.priority ? priorityBadge(rule.priority) : '', ' ' + rule.name + ' ',
    el('small', {}, '(' + rule.id + ', ' + (rule.kind === 'detection' ? 'built-in detection' : rule.kind) + ')'));
  $('#rule-description').textContent = rule.description || '';
  const where = $('#rule-where');
  if (rule.kind === 'detection') {
    where.replaceChildren('Documented in ', el('code', {}, rule.docs), ' of the Peregrine repository.');
  } else {
    where.replaceChildren('Defined in ', el('code', { id: 'rule-file' }, rule.file + ':' + rule.line),
      rule.enabled ? '' : ' (disabled)', ' — tags: ', (rule.tags || []).join(', ') || 'none');
  }
  $('#rule-yaml').textContent = rule.kind === 'detection' ? ''
    : (rule.yaml || '(the file could not be read; condition: ' + (rule.condition || rule.epl) + ')');
  $('#rule-yaml').hidden = rule.kind === 'detection';
}

// ---- wiring --------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('#login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    login($('#token').value.trim());
  });
  $('#logout').addEventListener('click', () => logout());
  for (const button of document.querySelectorAll('nav button[data-view]')) {
    button.addEventListener('click', () => show(button.dataset.view));
  }
  $('#filters').addEventListener('submit', (event) => {
    event.preventDefault();
    state.filters = Object.fromEntries(new FormData(event.target).entries());
    refresh();
  });
  $('#more').addEventListener('click', olderAlerts);
  $('#back').addEventListener('click', () => show('alerts'));
  $('#rule-back').addEventListener('click', () => { state.shownRule = null; show('detail'); });
  $('#ack').addEventListener('click', acknowledge);
  $('#suppress-form').addEventListener('submit', suppress);
  if (token()) login(token());
  else show('login');
});
