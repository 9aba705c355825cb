// Samsa dashboard: plain JavaScript, no framework. Reads /api/* once per page and then follows
// /api/events (server-sent events): a cluster snapshot after every poll, and every rebalance
// as the timeline records it. Hash routes: #/ (groups and topics), #/group/<id>.
'use strict';
(function () {
  const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#8cd17d', '#86bcb6', '#d37295'];
  const state = { snapshot: null, group: null, groupData: null, timeline: [], charts: [], colours: new Map() };
  const view = document.getElementById('view');

  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'style') e.setAttribute('style', v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  };
  const table = (headers, rows, attrs) => el('div', { class: 'scroll' }, el('table', attrs || {},
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { class: h.num ? 'num' : (h.cls || null) }, h.label || h)))),
    el('tbody', {}, rows)));
  const num = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString());
  const secs = (s) => (s === null || s === undefined ? '–' : s < 1 ? `${Math.round(s * 1000)} ms` : s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`);
  const ms = (m) => (m === null || m === undefined ? '–' : secs(m / 1000));
  const time = (t) => new Date(t).toLocaleTimeString();
  const bytes = (b) => (b === null || b === undefined ? '–' : b < 1024 ? `${b} B` : b < 1048576 ? `${(b / 1024).toFixed(1)} KiB` : b < 1073741824 ? `${(b / 1048576).toFixed(1)} MiB` : `${(b / 1073741824).toFixed(2)} GiB`);
  const shortId = (id) => (id && id.length > 18 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id || '–');
  const colourOf = (memberId) => {
    if (!state.colours.has(memberId)) state.colours.set(memberId, PALETTE[state.colours.size % PALETTE.length]);
    return state.colours.get(memberId);
  };
  const swatch = (memberId) => el('span', { class: 'swatch', style: `background:${colourOf(memberId)}` });

  // ---- live connection ----
  function connect() {
    const live = document.getElementById('live');
    const es = new EventSource('/api/events');
    es.addEventListener('open', () => { live.textContent = 'live'; live.className = 'live on'; });
    es.addEventListener('error', () => { live.textContent = 'reconnecting'; live.className = 'live off'; });
    es.addEventListener('snapshot', (m) => {
      state.snapshot = JSON.parse(m.data);
      header();
      if (state.group === null) renderOverview();
      else updateGroup();
    });
    es.addEventListener('timeline', (m) => {
      const entry = JSON.parse(m.data);
      if (state.group !== null && entry.groupId === state.group) {
        state.timeline.push(entry);
        renderTimeline();
      }
    });
  }

  function header() {
    const s = state.snapshot;
    if (!s) return;
    document.getElementById('cluster').textContent = `cluster ${s.clusterId || '?'} · ${s.brokers.length} broker${s.brokers.length === 1 ? '' : 's'} · polled ${time(s.atMs)}`;
    const src = document.getElementById('source');
    src.textContent = s.timelineSource === 'coordinator' ? 'timeline: exact (coordinator)' : 'timeline: inferred (DescribeGroups polling)';
    src.className = `badge ${s.timelineSource === 'coordinator' ? 'exact' : 'inferred'}`;
  }

  // ---- overview ----
  function renderOverview() {
    const s = state.snapshot;
    if (!s) return;
    const groups = s.groups.map((g) => el('tr', { 'data-group': g.groupId },
      el('td', {}, el('a', { href: `#/group/${encodeURIComponent(g.groupId)}` }, g.groupId)),
      el('td', {}, g.state || '–'), el('td', { class: 'hide-narrow' }, g.protocol || '–'),
      el('td', { class: 'num' }, g.members.length), el('td', { class: 'num' }, num(g.totalLag)),
      el('td', { class: 'num' }, secs(g.maxLagSeconds)), el('td', { class: `status-${g.status}` }, g.status)));
    const topics = s.topics.map((t) => {
      const end = t.partitions.reduce((n, p) => n + p.logEndOffset, 0);
      const size = t.partitions.some((p) => p.sizeBytes !== null) ? t.partitions.reduce((n, p) => n + (p.sizeBytes || 0), 0) : null;
      const rate = t.partitions.some((p) => p.produceRate !== null) ? t.partitions.reduce((n, p) => n + (p.produceRate || 0), 0) : null;
      return el('tr', {}, el('td', {}, t.name), el('td', { class: 'num' }, t.partitions.length), el('td', { class: 'num' }, num(end)),
        el('td', { class: 'num hide-narrow' }, bytes(size)), el('td', { class: 'num' }, rate === null ? '–' : `${num(Math.round(rate))}/s`));
    });
    view.replaceChildren(
      el('h2', {}, 'Consumer groups'),
      groups.length ? table(['group', 'state', { label: 'assignor', cls: 'hide-narrow' }, { label: 'members', num: 1 }, { label: 'lag', num: 1 }, { label: 'lag (time)', num: 1 }, 'health'], groups, { id: 'groups' }) : el('p', { class: 'muted' }, 'No groups yet.'),
      el('h2', {}, 'Topics'),
      topics.length ? table(['topic', { label: 'partitions', num: 1 }, { label: 'log end (sum)', num: 1 }, { label: 'size', num: 1, cls: 'hide-narrow' }, { label: 'produce rate', num: 1 }], topics, { id: 'topics' }) : el('p', { class: 'muted' }, 'No topics yet.'),
      notes(s.notes));
  }

  const notes = (list) => (list && list.length ? el('div', { class: 'muted' }, el('h2', {}, 'Notes'), el('ul', {}, list.map((n) => el('li', {}, n)))) : null);

  // ---- group page ----
  async function openGroup(groupId) {
    state.group = groupId;
    state.groupData = null;
    view.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
    const res = await fetch(`/api/groups/${encodeURIComponent(groupId)}`);
    if (state.group !== groupId) return;
    if (!res.ok) {
      view.replaceChildren(el('p', {}, `Group ${groupId} is not known.`), el('a', { href: '#/' }, 'Back'));
      return;
    }
    state.groupData = await res.json();
    state.timeline = state.groupData.timeline.entries.slice();
    renderGroup();
  }

  function currentGroup() {
    const live = state.snapshot && state.snapshot.groups.find((g) => g.groupId === state.group);
    return live || (state.groupData && state.groupData.group) || null;
  }

  function renderGroup() {
    const g = currentGroup();
    view.replaceChildren(
      el('p', {}, el('a', { href: '#/' }, '← all groups')),
      el('h1', {}, state.group),
      el('div', { id: 'group-summary' }),
      el('h2', {}, 'Members'), el('div', { id: 'members' }),
      el('h2', {}, 'Partition ownership'), el('div', { id: 'ownership-wrap' }),
      el('h2', {}, 'Lag over time'),
      el('div', { class: 'charts' },
        el('div', { class: 'chart' }, el('h3', {}, 'Lag per partition (records)'), el('div', { id: 'chart-lag' })),
        el('div', { class: 'chart' }, el('h3', {}, 'Lag in time (oldest unconsumed record, seconds)'), el('div', { id: 'chart-seconds' }))),
      el('h2', {}, 'Rebalance timeline ', el('span', { id: 'timeline-source', class: 'badge' })),
      el('ul', { id: 'timeline', class: 'timeline' }));
    if (g) { renderSummary(g); renderMembers(g); renderOwnership(g); }
    renderCharts();
    renderTimeline();
  }

  function updateGroup() {
    const g = currentGroup();
    if (!g || !document.getElementById('group-summary')) return;
    renderSummary(g); renderMembers(g); renderOwnership(g);
    const s = state.snapshot;
    if (state.groupData) {
      const partitions = {};
      for (const p of g.partitions) partitions[`${p.topic}:${p.partition}`] = [p.lag, p.lagSeconds];
      const history = state.groupData.lagHistory;
      if (!history.length || history[history.length - 1].atMs !== s.atMs) history.push({ atMs: s.atMs, totalLag: g.totalLag, maxLagSeconds: g.maxLagSeconds, partitions });
      if (history.length > 360) history.shift();
      renderCharts();
    }
  }

  function renderSummary(g) {
    const item = (label, value, cls) => el('div', {}, el('span', {}, label), el('b', { class: cls || null }, value));
    document.getElementById('group-summary').replaceChildren(el('div', { class: 'summary' },
      item('state', g.state || '–'), item('assignor', g.protocol || '–'), item(g.type === 'consumer' ? 'group epoch' : 'generation', g.generationId === null ? '–' : g.generationId),
      g.type === 'consumer' ? item('protocol', 'consumer (KIP-848)') : null,
      item('members', g.members.length), item('lag', num(g.totalLag)), item('lag (time)', secs(g.maxLagSeconds)), item('health', g.status, `status-${g.status}`)));
  }

  function renderMembers(g) {
    const rows = g.members.map((m) => el('tr', { 'data-member': m.memberId },
      el('td', {}, swatch(m.memberId), el('code', { title: m.memberId }, shortId(m.memberId))), el('td', {}, m.clientId), el('td', {}, m.clientHost),
      el('td', { class: 'hide-narrow' }, m.groupInstanceId || '–'), el('td', { class: 'num' }, Object.values(m.assignment).reduce((n, p) => n + p.length, 0))));
    document.getElementById('members').replaceChildren(rows.length
      ? table(['member', 'client id', 'host', { label: 'instance id', cls: 'hide-narrow' }, { label: 'partitions', num: 1 }], rows)
      : el('p', { class: 'muted' }, 'No members.'));
  }

  function renderOwnership(g) {
    const partitions = g.partitions.map((p) => ({ topic: p.topic, partition: p.partition, lag: p.lag }));
    const known = new Set(partitions.map((p) => `${p.topic}:${p.partition}`));
    for (const m of g.members) for (const [t, ps] of Object.entries(m.assignment)) for (const p of ps) if (!known.has(`${t}:${p}`)) { known.add(`${t}:${p}`); partitions.push({ topic: t, partition: p, lag: null }); }
    partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    if (!partitions.length) { document.getElementById('ownership-wrap').replaceChildren(el('p', { class: 'muted' }, 'No partitions.')); return; }
    const owner = new Map();
    for (const m of g.members) for (const [t, ps] of Object.entries(m.assignment)) for (const p of ps) owner.set(`${t}:${p}`, m.memberId);
    const head = el('tr', {}, el('th', {}, 'member'), partitions.map((p) => el('th', { class: 'part', title: `${p.topic} partition ${p.partition}` }, `${p.topic}/${p.partition}`)));
    const rows = g.members.map((m) => el('tr', { 'data-member': m.memberId }, el('td', {}, swatch(m.memberId), m.clientId),
      partitions.map((p) => {
        const key = `${p.topic}:${p.partition}`;
        const mine = owner.get(key) === m.memberId;
        return el('td', { class: 'cell', 'data-partition': key, 'data-owned': mine ? 'true' : 'false', style: mine ? `background:${colourOf(m.memberId)}` : null, title: mine ? `${key} owned by ${m.clientId}` : key });
      })));
    const unowned = el('tr', {}, el('td', { class: 'muted' }, 'lag'), partitions.map((p) => el('td', { class: 'cell muted', title: `lag ${p.lag === null ? 'unknown' : p.lag}` }, p.lag === null ? '' : p.lag > 999 ? '1k+' : p.lag)));
    document.getElementById('ownership-wrap').replaceChildren(el('div', { class: 'scroll' }, el('table', { id: 'ownership' }, el('thead', {}, head), el('tbody', {}, rows, unowned))));
  }

  function renderCharts() {
    for (const c of state.charts) c.destroy();
    state.charts = [];
    const history = state.groupData ? state.groupData.lagHistory : [];
    const lagBox = document.getElementById('chart-lag');
    const secBox = document.getElementById('chart-seconds');
    if (!lagBox || !secBox || typeof uPlot === 'undefined') return;
    if (history.length < 2) {
      lagBox.replaceChildren(el('p', { class: 'muted' }, 'Waiting for a second poll…'));
      secBox.replaceChildren(el('p', { class: 'muted' }, 'Waiting for a second poll…'));
      return;
    }
    lagBox.replaceChildren(); secBox.replaceChildren();
    const xs = history.map((h) => h.atMs / 1000);
    const keys = [...new Set(history.flatMap((h) => Object.keys(h.partitions)))].sort();
    const width = Math.max(280, lagBox.clientWidth || 320);
    const series = keys.map((k, i) => ({ label: k, stroke: PALETTE[i % PALETTE.length], width: 1.5 }));
    state.charts.push(new uPlot({ width, height: 200, series: [{}, ...series], axes: [{}, { size: 60 }], legend: { show: keys.length <= 12 } },
      [xs, ...keys.map((k) => history.map((h) => (h.partitions[k] ? h.partitions[k][0] : null)))], lagBox));
    state.charts.push(new uPlot({ width, height: 200, series: [{}, { label: 'max lag (s)', stroke: '#e15759', width: 2 }], axes: [{}, { size: 60 }] },
      [xs, history.map((h) => h.maxLagSeconds)], secBox));
  }

  // ---- timeline ----
  const CAUSES = {
    'member-joined': (c) => `${who(c)} joined`,
    'member-left': (c) => `${who(c)} left (LeaveGroup)`,
    'session-timeout': (c) => `${who(c)} missed heartbeats (session timeout)`,
    'max-poll-interval-exceeded': (c) => `${who(c)} exceeded max.poll.interval.ms`,
    'sync-timeout': (c) => `${who(c)} never sent SyncGroup`,
    'new-member-timeout': (c) => `${who(c)} never completed its first join`,
    'group-max-size': (c) => `${who(c)} removed: group.max.size`,
    'static-replacement': (c) => `static member ${c.groupInstanceId} restarted`,
    'subscription-changed': (c) => `${who(c)} changed its subscription`,
    'leader-rejoined': (c) => `leader ${who(c)} rejoined (metadata changed)`,
    'partitions-added': (c) => `partitions added to ${c.topic}: ${c.partitionsBefore} → ${c.partitionsAfter}`,
    'topic-created': (c) => `topic ${c.topic} created${c.regex ? ` (matches ${c.regex})` : ''}`,
    'topic-deleted': (c) => `topic ${c.topic} deleted`,
    'metadata-changed': () => 'subscribed topics changed',
    'rebalance-timeout': (c) => `${who(c)} did not revoke in time (rebalance timeout)`,
    'cooperative-second-round': () => 'cooperative second round (revoked partitions reassigned)',
    'group-over-capacity': () => 'group over group.max.size after a restart',
    forced: () => 'forced by a test (forceRebalance)',
    'member-gone': (c) => `${who(c)} gone (left or timed out)`,
    unknown: () => 'rebalanced (cause not visible from outside the coordinator)',
  };
  function who(c) { return c.clientId ? `${c.clientId} (${shortId(c.memberId)})` : shortId(c.memberId); }
  function causeText(e) {
    const seen = new Set();
    const parts = e.causes.map((c) => (CAUSES[c.kind] || (() => c.kind))(c)).filter((t) => !seen.has(t) && seen.add(t));
    return parts.length ? parts.join('; ') : e.kind === 'emptied' ? 'every member left' : 'initial assignment';
  }
  const tp = (p) => `${p.topic}/${p.partition}`;

  function renderTimeline() {
    const list = document.getElementById('timeline');
    if (!list) return;
    const source = document.getElementById('timeline-source');
    const kind = state.groupData ? state.groupData.timeline.source : 'inferred';
    source.textContent = kind === 'coordinator' ? 'exact, from the coordinator' : 'inferred from DescribeGroups polls';
    source.className = `badge ${kind === 'coordinator' ? 'exact' : 'inferred'}`;
    const entries = state.timeline.slice().reverse();
    if (!entries.length) { list.replaceChildren(el('li', { class: 'muted' }, 'No rebalance recorded yet.')); return; }
    list.replaceChildren(...entries.map(entryItem));
  }

  function entryItem(e) {
    // Consumer groups (KIP-848) have group epochs, and an entry is one reconciliation round.
    const word = e.rebalanceProtocol === 'consumer' ? 'group epoch' : 'generation';
    const gen = e.generationId === null ? 'rebalance' : e.kind === 'member-replaced' ? `${word} ${e.generationId} (no rebalance)` : `${word} ${e.previousGenerationId === null ? '' : `${e.previousGenerationId} → `}${e.generationId}`;
    const pause = e.pause.kind === 'none' || e.pause.partitionsPaused === 0 ? 'nothing paused' : e.pause.kind === 'stop-the-world'
      ? `stop-the-world ${ms(e.pause.maxMs)} (${e.pause.partitionsPaused} partitions)`
      : e.partitions.moved.length === 0
        ? `${e.partitions.revoked.length} revoked partitions paused until reassigned; the rest kept flowing`
        : `per-partition, longest ${ms(e.pause.maxMs)} (${e.pause.partitionsPaused} partitions); the rest kept flowing`;
    const p = e.partitions;
    const rows = [
      ...p.moved.map((m) => el('tr', {}, el('td', {}, 'moved'), el('td', {}, tp(m)), el('td', {}, shortId(m.from)), el('td', {}, shortId(m.to)), el('td', { class: 'num' }, m.revokeMs != null ? `${ms(m.pauseMs)} (revoked in ${ms(m.revokeMs)})` : ms(m.pauseMs)))),
      ...p.revoked.map((m) => el('tr', {}, el('td', {}, 'revoked'), el('td', {}, tp(m)), el('td', {}, shortId(m.from)), el('td', {}, '–'), el('td', { class: 'num' }, 'until reassigned'))),
      ...p.assigned.map((m) => el('tr', {}, el('td', {}, 'assigned'), el('td', {}, tp(m)), el('td', {}, '–'), el('td', {}, shortId(m.to)), el('td', { class: 'num' }, '–'))),
    ];
    return el('li', { class: `${e.rebalanceProtocol} ${e.kind}`, 'data-generation': e.generationId === null ? '' : e.generationId, 'data-kind': e.kind },
      el('div', { class: 'head' }, el('span', { class: 'gen' }, gen), el('span', { class: 'muted' }, `${time(e.completedAtMs)} · took ${ms(e.completedAtMs - e.startedAtMs)}${!e.joinCompletedAtMs ? '' : e.rebalanceProtocol === 'consumer' ? ` (target assignment after ${ms(e.joinCompletedAtMs - e.startedAtMs)})` : ` (join ${ms(e.joinCompletedAtMs - e.startedAtMs)}, sync ${ms(e.completedAtMs - e.joinCompletedAtMs)})`}`),
        el('span', { class: 'badge' }, `${e.protocolName || '?'} · ${e.rebalanceProtocol}`), e.source === 'inferred' ? el('span', { class: 'badge inferred' }, 'inferred') : null),
      el('div', { class: 'why' }, causeText(e)),
      el('div', { class: 'facts' },
        el('span', {}, `members ${e.membersBefore.length} → ${e.membersAfter.length}`),
        e.joined.length ? el('span', { class: 'added' }, `+${e.joined.length} joined`) : null,
        e.left.length ? el('span', { class: 'removed' }, `−${e.left.length} left`) : null,
        el('span', {}, `kept ${p.kept.length}`), el('span', {}, `moved ${p.moved.length}`), el('span', {}, `revoked ${p.revoked.length}`), el('span', {}, `assigned ${p.assigned.length}`),
        el('span', {}, `pause: ${pause}`)),
      rows.length ? el('details', {}, el('summary', {}, 'partitions that changed hands'),
        table(['change', 'partition', 'from', 'to', { label: 'pause', num: 1 }], rows)) : null);
  }

  // ---- routing ----
  function route() {
    const m = /^#\/group\/(.+)$/.exec(location.hash);
    if (m) openGroup(decodeURIComponent(m[1]));
    else { state.group = null; state.groupData = null; renderOverview(); }
  }
  window.addEventListener('hashchange', route);
  fetch('/api/snapshot').then((r) => r.json()).then((s) => { if (!state.snapshot) { state.snapshot = s; header(); } route(); }).catch(route);
  connect();
})();
