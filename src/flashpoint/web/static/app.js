/* Flashpoint dashboard: map, timeline, filters and an evidence panel over the /api endpoints.
 *
 * Every piece of text that comes from the database (article text, titles, names) reaches the
 * page through textContent or attribute setters, never innerHTML: news text is untrusted.
 */
(function () {
  'use strict';

  var FILTERS = ['since', 'until', 'country', 'type', 'mode', 'modality', 'actor', 'text', 'min_sources'];
  var LIST_LIMIT = 100;
  var DAY_MS = 86400000;
  var state = { filters: {}, eventId: null, fitted: false, seq: 0, markers: {}, days: null };

  // -- small helpers ------------------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  /** Element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') node.textContent = String(v);
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, String(v));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  /** Only letters, digits and dashes survive into class names. */
  function token(value) { return String(value || '').replace(/[^A-Za-z0-9-]/g, ''); }

  /** An http(s) URL, or null: a javascript: or data: URL from a feed must never become a link. */
  function safeUrl(url) {
    if (!url) return null;
    try {
      var parsed = new URL(String(url), window.location.href);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (e) { return null; }
  }

  function query(params) {
    var qs = new URLSearchParams();
    Object.keys(params).forEach(function (k) {
      if (params[k] !== '' && params[k] !== null && params[k] !== undefined) qs.set(k, params[k]);
    });
    return qs.toString();
  }

  function api(path, params) {
    var qs = params ? query(params) : '';
    return fetch(path + (qs ? '?' + qs : ''), { headers: { Accept: 'application/json' } })
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (body) {
          if (!resp.ok) throw new Error(body.detail || resp.status + ' ' + resp.statusText);
          return body;
        });
      });
  }

  function showError(err) {
    var box = $('error');
    box.textContent = err ? String(err.message || err) : '';
    box.hidden = !err;
  }

  function dayNumber(iso) {
    var p = String(iso).split('-');
    return Math.floor(Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY_MS);
  }

  function isoDay(n) { return new Date(n * DAY_MS).toISOString().slice(0, 10); }

  function dateText(date) {
    if (!date || !date.start) return 'date unknown';
    var out = date.start;
    if (date.end && date.end !== date.start) out += ' to ' + date.end;
    if (date.time) out += ' ' + date.time;
    if (date.precision && date.precision !== 'day') out += ' (' + date.precision + ')';
    return out;
  }

  function countText(c) {
    if (!c) return null;
    var best = c.best !== null && c.best !== undefined ? c.best : c.low;
    var range = (c.low !== null && c.high !== null && c.low !== c.high && c.low !== undefined)
      ? ' (' + c.low + '–' + c.high + ')' : '';
    return best === null || best === undefined ? null : best + range;
  }

  // -- filters and URL state ----------------------------------------------------------------

  function readForm() {
    var form = $('filters');
    var out = {};
    FILTERS.forEach(function (name) {
      var value = (form.elements[name].value || '').trim();
      if (value) out[name] = value;
    });
    return out;
  }

  function writeForm(filters) {
    var form = $('filters');
    FILTERS.forEach(function (name) {
      var field = form.elements[name];
      var value = filters[name] || '';
      if (field.tagName === 'SELECT' && value &&
          !Array.prototype.some.call(field.options, function (o) { return o.value === value; })) {
        field.append(el('option', { value: value, text: value }));
      }
      field.value = value;
    });
  }

  function writeHash() {
    var params = Object.assign({}, state.filters);
    if (state.eventId) params.event = state.eventId;
    var qs = query(params);
    history.replaceState(null, '', qs ? '#' + qs : window.location.pathname);
  }

  function readHash() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    var filters = {};
    FILTERS.forEach(function (name) { if (params.get(name)) filters[name] = params.get(name); });
    return { filters: filters, eventId: params.get('event') };
  }

  function updateExports() {
    var base = Object.assign({ limit: 10000 }, state.filters);
    $('export-csv').href = '/api/events.csv?' + query(Object.assign({ spreadsheet_safe: 'true' }, base));
    $('export-geojson').href = '/api/events.geojson?' + query(base);
    $('export-json').href = '/api/events.json?' + query(base);
  }

  // -- map ----------------------------------------------------------------------------------

  var map = L.map('map', { worldCopyJump: true, minZoom: 2, maxZoom: 13, zoomSnap: 0.5 });
  map.attributionControl.setPrefix('Leaflet');
  map.attributionControl.addAttribution('Country outlines: Natural Earth');
  map.setView([25, 30], 2);
  var cluster = L.markerClusterGroup({
    showCoverageOnHover: false, maxClusterRadius: 40, spiderfyOnMaxZoom: true, chunkedLoading: true
  });
  map.addLayer(cluster);

  function loadBasemap() {
    return fetch('/static/vendor/world-atlas/countries-50m.json')
      .then(function (r) { return r.json(); })
      .then(function (topo) {
        var land = topojson.feature(topo, topo.objects.countries);
        L.geoJSON(land, {
          interactive: false,
          renderer: L.canvas({ padding: 0.5 }),
          style: { color: '#a9b3c2', weight: 0.7, fillColor: '#fbfaf6', fillOpacity: 1 }
        }).addTo(map).bringToBack();
      });
  }

  function markerLabel(p) {
    return [p.type + (p.mode ? ' (' + p.mode + ')' : ''), p.start || 'date unknown', p.place || '']
      .filter(Boolean).join(' · ');
  }

  function drawMarkers(points) {
    cluster.clearLayers();
    state.markers = {};
    var markers = points.map(function (p) {
      var icon = L.divIcon({
        className: 'fp-marker fp-t-' + token(p.type) + ' m-' + token(p.modality),
        iconSize: [14, 14]
      });
      var label = markerLabel(p);
      var marker = L.marker([p.lat, p.lon], { icon: icon, title: label, alt: label, riseOnHover: true });
      marker.on('add', function () {
        var node = marker.getElement();
        if (node) {
          node.setAttribute('data-event-id', p.id);
          node.classList.toggle('fp-selected', p.id === state.eventId);
        }
      });
      marker.on('click', function () { openEvent(p.id); });
      state.markers[p.id] = marker;
      return marker;
    });
    if (!state.fitted && markers.length) {
      // Fit before adding, without animation, so clusters are built once for the final view.
      var bounds = L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; }));
      map.fitBounds(bounds, { padding: [40, 40], maxZoom: 6, animate: false });
      state.fitted = true;
    }
    cluster.addLayers(markers);
  }

  function markSelected() {
    Object.keys(state.markers).forEach(function (id) {
      var node = state.markers[id].getElement();
      if (node) node.classList.toggle('fp-selected', id === state.eventId);
    });
  }

  // -- timeline -----------------------------------------------------------------------------

  var SVG = 'http://www.w3.org/2000/svg';
  var timeline = { bins: [], start: 0, binDays: 1, x0: 0, width: 0 };

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  function drawTimeline(days, undated) {
    var root = $('timeline');
    clear(root);
    var width = root.clientWidth || 600;
    var height = root.clientHeight || 90;
    var label = undated ? ' · ' + undated + ' undated not shown' : '';
    if (!days.length) {
      $('timeline-label').textContent = 'Timeline: no dated events' + label;
      return;
    }
    var first = dayNumber(days[0].date);
    var last = dayNumber(days[days.length - 1].date);
    var span = last - first + 1;
    var binDays = span <= 400 ? 1 : span <= 2800 ? 7 : 30;
    var nBins = Math.floor((last - first) / binDays) + 1;
    var bins = new Array(nBins).fill(0);
    days.forEach(function (d) { bins[Math.floor((dayNumber(d.date) - first) / binDays)] += d.count; });
    var max = Math.max.apply(null, bins);
    var left = 8, right = 8, bottom = 14, top = 4;
    var bw = (width - left - right) / nBins;
    timeline = { bins: bins, start: first, binDays: binDays, x0: left, width: bw * nBins, bw: bw };

    var since = state.filters.since ? dayNumber(state.filters.since) : null;
    var until = state.filters.until ? dayNumber(state.filters.until) : null;
    bins.forEach(function (n, i) {
      if (!n) return;
      var from = first + i * binDays;
      var to = from + binDays - 1;
      var inside = (since === null || to >= since) && (until === null || from <= until);
      var h = Math.max(2, (height - bottom - top) * n / max);
      var rect = svg('rect', {
        x: left + i * bw + (bw > 3 ? 0.5 : 0), y: height - bottom - h,
        width: Math.max(1, bw - (bw > 3 ? 1 : 0)), height: h,
        class: 'bar-rect' + ((since !== null || until !== null) && inside ? ' in' : ''),
        'data-date': isoDay(from), 'data-count': n
      });
      var title = svg('title');
      title.textContent = isoDay(from) + (binDays > 1 ? ' to ' + isoDay(to) : '') + ': ' + n +
        (n === 1 ? ' event' : ' events');
      rect.append(title);
      root.append(rect);
    });
    [[0, 'start'], [nBins - 1, 'end']].forEach(function (pair) {
      var t = svg('text', {
        x: pair[1] === 'start' ? left : left + bw * nBins, y: height - 2, class: 'axis',
        'text-anchor': pair[1]
      });
      t.textContent = isoDay(first + pair[0] * binDays);
      root.append(t);
    });
    var unit = binDays === 1 ? 'day' : binDays === 7 ? 'week' : '30 days';
    $('timeline-label').textContent = 'Events per ' + unit + ' (drag to choose dates)' + label;
    if (since !== null || until !== null) {
      var a = since === null ? 0 : (since - first) / binDays;
      var b = until === null ? nBins : (until - first + 1) / binDays;
      a = Math.max(0, Math.min(nBins, a));
      b = Math.max(0, Math.min(nBins, b));
      if (b > a) root.append(svg('rect', { x: left + a * bw, y: top, width: (b - a) * bw, height: height - bottom - top, class: 'brush' }));
    }
  }

  function binAt(x) {
    var i = Math.floor((x - timeline.x0) / timeline.bw);
    return Math.max(0, Math.min(timeline.bins.length - 1, i));
  }

  function setupBrush() {
    var root = $('timeline');
    var drag = null;
    root.addEventListener('pointerdown', function (e) {
      if (!timeline.bins.length) return;
      var box = root.getBoundingClientRect();
      drag = { x: e.clientX - box.left, rect: svg('rect', { class: 'brush', y: 4, height: Math.max(0, box.height - 18), x: e.clientX - box.left, width: 0 }) };
      root.append(drag.rect);
      root.setPointerCapture(e.pointerId);
    });
    root.addEventListener('pointermove', function (e) {
      if (!drag) return;
      var x = e.clientX - root.getBoundingClientRect().left;
      drag.rect.setAttribute('x', Math.min(x, drag.x));
      drag.rect.setAttribute('width', Math.abs(x - drag.x));
    });
    root.addEventListener('pointerup', function (e) {
      if (!drag) return;
      var x = e.clientX - root.getBoundingClientRect().left;
      var a = binAt(Math.min(x, drag.x));
      var b = binAt(Math.max(x, drag.x));
      drag = null;
      var since = timeline.start + a * timeline.binDays;
      var until = timeline.start + (b + 1) * timeline.binDays - 1;
      var form = $('filters');
      form.elements.since.value = isoDay(since);
      form.elements.until.value = isoDay(until);
      apply();
    });
    root.addEventListener('dblclick', clearDates);
  }

  function clearDates() {
    var form = $('filters');
    form.elements.since.value = '';
    form.elements.until.value = '';
    apply();
  }

  // -- list and counts ----------------------------------------------------------------------

  function names(event, role) {
    return (event.actors || []).filter(function (a) { return a.role === role; })
      .map(function (a) { return a.name; }).join(', ');
  }

  function drawList(page) {
    var list = $('event-list');
    clear(list);
    $('list-title').textContent = page.total > page.events.length
      ? 'Events (newest ' + page.events.length + ' of ' + page.total + ')' : 'Events';
    page.events.forEach(function (ev) {
      var who = [names(ev, 'source'), names(ev, 'target')].filter(Boolean).join(' → ');
      var place = ev.location ? ev.location.name : '';
      var button = el('button', { type: 'button', 'data-event-id': ev.id },
        el('span', { class: 'swatch fp-t-' + token(ev.type) }),
        el('strong', { text: ev.type + (ev.mode ? ' · ' + ev.mode : '') }), ' ',
        el('span', { class: 'when', text: (ev.date && ev.date.start) || 'undated' }),
        el('br'), [who, place].filter(Boolean).join(' · '));
      if (ev.id === state.eventId) button.setAttribute('aria-current', 'true');
      button.addEventListener('click', function () { openEvent(ev.id); });
      list.append(el('li', null, button));
    });
  }

  function drawCount(points) {
    var count = $('count');
    count.setAttribute('data-total', points.total);
    count.setAttribute('data-located', points.located);
    var text = points.total + (points.total === 1 ? ' event' : ' events') + ' · ' +
      points.located + ' on the map';
    if (points.truncated) text += ' (newest ' + points.points.length + ' shown)';
    count.textContent = text;
  }

  // -- refresh --------------------------------------------------------------------------------

  function refresh() {
    var seq = ++state.seq;
    var filters = Object.assign({}, state.filters);
    var undated = Object.assign({}, filters);
    delete undated.since;
    delete undated.until;
    document.body.setAttribute('data-loading', 'true');
    updateExports();
    return Promise.all([
      api('/api/points', filters),
      api('/api/timeline', undated),
      api('/api/events', Object.assign({ limit: LIST_LIMIT }, filters))
    ]).then(function (res) {
      if (seq !== state.seq) return;
      showError(null);
      drawMarkers(res[0].points);
      drawCount(res[0]);
      state.days = res[1];
      drawTimeline(res[1].days, res[1].undated);
      drawList(res[2]);
    }).catch(function (err) {
      if (seq === state.seq) showError(err);
    }).then(function () {
      if (seq === state.seq) {
        document.body.removeAttribute('data-loading');
        document.body.setAttribute('data-ready', 'true');
      }
    });
  }

  function apply() {
    state.filters = readForm();
    writeHash();
    return refresh();
  }

  // -- event panel ----------------------------------------------------------------------------

  /** ``text`` with ``marks`` (sorted, nested, never crossing) as nested <mark> elements. */
  function marked(text, marks) {
    var frag = document.createDocumentFragment();
    var i = 0;
    function fill(parent, from, to) {
      var pos = from;
      while (i < marks.length && marks[i].start < to) {
        var m = marks[i++];
        if (m.start < pos || m.end > to || m.end <= m.start) continue;
        if (m.start > pos) parent.append(text.slice(pos, m.start));
        var node = el('mark', {
          class: 'k-' + token(m.kind) + (m.role ? ' r-' + token(m.role) : ''),
          title: m.label || m.kind
        });
        parent.append(node);
        fill(node, m.start, m.end);
        pos = m.end;
      }
      if (pos < to) parent.append(text.slice(pos, to));
    }
    fill(frag, 0, text.length);
    return frag;
  }

  function fact(dl, term, value) {
    if (value === null || value === undefined || value === '') return;
    dl.append(el('dt', { text: term }), el('dd', null, value));
  }

  function sourceLine(article) {
    article = article || {};
    var url = safeUrl(article.url);
    var title = article.title || article.id || 'article';
    var line = el('p', { class: 'source' });
    line.append(url ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: title })
      : el('strong', { text: title }));
    var meta = [article.publisher, article.published].filter(Boolean).join(', ');
    if (meta) line.append(' — ' + meta);
    return line;
  }

  function articleToggle(articleId, evidence) {
    var box = el('div');
    var button = el('button', { type: 'button', class: 'link', text: 'Show the article text' });
    button.addEventListener('click', function () {
      if (box.firstChild) { clear(box); button.textContent = 'Show the article text'; return; }
      api('/api/articles/' + encodeURIComponent(articleId)).then(function (article) {
        var ranges = evidence.filter(function (e) { return e.article_id === articleId; })
          .map(function (e) { return { start: e.start, end: e.end, kind: 'evidence', label: 'evidence' }; })
          .sort(function (a, b) { return a.start - b.start || b.end - a.end; })
          .filter(function (m, i, all) { return i === 0 || m.start >= all[i - 1].end; });
        box.append(el('div', { class: 'article-text' }, marked(article.text || '', ranges)));
        button.textContent = 'Hide the article text';
      }).catch(showError);
    });
    return el('div', null, button, box);
  }

  var MARK_KINDS = [['trigger', null, 'trigger'], ['actor', 'source', 'source'], ['actor', 'target', 'target'],
    ['actor', 'claimant', 'claimant'], ['location', null, 'place'], ['date', null, 'date'],
    ['casualties', null, 'casualties'], ['attribution', null, 'attribution']];

  function renderEvent(ev) {
    var body = $('panel-body');
    clear(body);
    body.append(el('h2', { class: 'event-title' },
      el('span', { class: 'swatch fp-t-' + token(ev.type) }), ev.type + (ev.mode ? ' · ' + ev.mode : '')));
    body.append(el('p', null,
      el('span', { class: 'badge', text: ev.modality }),
      el('span', { class: 'badge', text: 'confidence ' + Number(ev.confidence).toFixed(2) }),
      el('span', { class: 'badge', text: ev.source_count + (ev.source_count === 1 ? ' source' : ' sources') })));

    var dl = el('dl', { class: 'facts' });
    fact(dl, 'When', dateText(ev.date));
    if (ev.location) {
      var loc = ev.location;
      fact(dl, 'Where', [loc.name, loc.admin1, loc.country].filter(Boolean).join(', ') +
        (loc.precision ? ' (' + loc.precision + ')' : ''));
    }
    var actors = el('ul', { class: 'actors' });
    (ev.actors || []).forEach(function (a) {
      var extra = [a.country, a.kind].filter(Boolean).join(', ');
      actors.append(el('li', null, el('em', { text: a.role }), ': ' + a.name + (extra ? ' (' + extra + ')' : '') +
        (a.text && a.text !== a.name ? ' — “' + a.text + '”' : '')));
    });
    if (actors.firstChild) fact(dl, 'Actors', actors);
    var cas = ev.casualties || {};
    var killed = countText(cas.killed);
    var injured = countText(cas.injured);
    if (killed !== null || injured !== null) {
      fact(dl, 'Casualties', [killed !== null ? killed + ' killed' : '', injured !== null ? injured + ' injured' : '']
        .filter(Boolean).join(', '));
    }
    var att = ev.attribution || {};
    if (att.kind && att.kind !== 'unattributed') fact(dl, 'According to', (att.name || att.text || '?') + ' (' + att.kind + ')');
    if (ev.trigger) fact(dl, 'Trigger', '“' + ev.trigger + '”');
    if (ev.instruments && ev.instruments.length) fact(dl, 'Weapons', ev.instruments.join(', '));
    if (ev.intercepted !== null && ev.intercepted !== undefined) fact(dl, 'Intercepted', ev.intercepted ? 'yes' : 'no');
    if (ev.damage) fact(dl, 'Damage', ev.damage);
    body.append(dl);

    body.append(el('h2', { text: 'Evidence' }));
    var legend = el('div', { class: 'mark-legend' });
    MARK_KINDS.forEach(function (k) {
      legend.append(el('mark', { class: 'k-' + k[0] + (k[1] ? ' r-' + k[1] : ''), text: k[2] }));
    });
    body.append(legend);
    (ev.mentions || []).forEach(function (mention) {
      var box = el('section', { class: 'mention', 'data-event-id': mention.event_id });
      box.append(sourceLine(mention.article));
      var list = el('ol', { class: 'evidence' });
      (mention.evidence || []).forEach(function (e) {
        list.append(el('li', { class: 'evidence-sentence' }, marked(e.sentence || '', e.marks || [])));
      });
      box.append(list);
      if (mention.article && mention.article.id) box.append(articleToggle(mention.article.id, mention.evidence || []));
      body.append(box);
    });

    if (ev.sources && ev.sources.length) {
      body.append(el('h2', { text: 'Sources' }));
      var sources = el('ul', { class: 'related' });
      ev.sources.forEach(function (s) { sources.append(el('li', null, sourceLine(s))); });
      body.append(sources);
    }
    if (ev.related_events && ev.related_events.length) {
      body.append(el('h2', { text: 'Related events' }));
      var related = el('ul', { class: 'related' });
      ev.related_events.forEach(function (r) {
        var s = r.event;
        var verb = r.direction === 'in' ? r.relation.replace(/_/g, ' ') + ' (from)' : r.relation.replace(/_/g, ' ');
        var text = s ? [s.type + (s.mode ? ' · ' + s.mode : ''), s.date || 'undated', s.place || ''].filter(Boolean).join(' · ')
          : r.event_id + ' (not stored)';
        var item = el('li', null, el('em', { text: verb }), ': ');
        if (s) {
          var button = el('button', { type: 'button', text: text });
          button.addEventListener('click', function () { openEvent(r.event_id); });
          item.append(button);
        } else {
          item.append(text);
        }
        related.append(item);
      });
      body.append(related);
    }
  }

  function openEvent(id) {
    state.eventId = id;
    writeHash();
    markSelected();
    Array.prototype.forEach.call(document.querySelectorAll('#event-list button'), function (b) {
      if (b.getAttribute('data-event-id') === id) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
    return api('/api/events/' + encodeURIComponent(id)).then(function (ev) {
      if (state.eventId !== id) return;
      renderEvent(ev);
      var panel = $('panel');
      panel.hidden = false;
      panel.setAttribute('data-event-id', id);
      map.invalidateSize();
    }).catch(showError);
  }

  function closePanel() {
    state.eventId = null;
    $('panel').hidden = true;
    $('panel').removeAttribute('data-event-id');
    writeHash();
    markSelected();
    map.invalidateSize();
  }

  // -- start ------------------------------------------------------------------------------------

  function loadMeta() {
    return Promise.all([api('/api/stats'), api('/api/actors', { limit: 500 })]).then(function (res) {
      var stats = res[0];
      var typeSelect = $('f-type');
      var legend = $('legend');
      Object.keys(stats.by_type || {}).forEach(function (t) {
        typeSelect.append(el('option', { value: t, text: t + ' (' + stats.by_type[t] + ')' }));
        legend.append(el('li', null, el('span', { class: 'swatch fp-t-' + token(t) }), t));
      });
      var countrySelect = $('f-country');
      Object.keys(stats.by_country || {}).sort().forEach(function (c) {
        countrySelect.append(el('option', { value: c, text: c + ' (' + stats.by_country[c] + ')' }));
      });
      var names = $('actor-names');
      res[1].actors.forEach(function (a) { names.append(el('option', { value: a.name })); });
    });
  }

  function start() {
    var initial = readHash();
    state.filters = initial.filters;
    $('filters').addEventListener('submit', function (e) { e.preventDefault(); apply(); });
    $('reset').addEventListener('click', function () {
      $('filters').reset();
      state.fitted = false;
      apply();
    });
    $('clear-dates').addEventListener('click', clearDates);
    $('panel-close').addEventListener('click', closePanel);
    setupBrush();
    // The timeline is drawn to its pixel width; redraw when the panel or window resizes it.
    new ResizeObserver(function () {
      if (state.days) drawTimeline(state.days.days, state.days.undated);
    }).observe($('timeline'));
    Promise.all([loadMeta().catch(showError), loadBasemap().catch(showError)]).then(function () {
      writeForm(state.filters);
      return refresh();
    }).then(function () {
      if (initial.eventId) openEvent(initial.eventId);
    });
  }

  start();
})();
