/**
 * The page's own script, run by the browser: it reads the timeline embedded in the page (#run-data) and
 * draws each chart with uPlot (inlined beside it). Each chart is a <div data-chart="NAME">; the drawn
 * charts are kept on window.__charts by name, so a test (or a curious reader, in the console) can see
 * exactly what was drawn. Plain ES2017, no modules: it runs from file:// in any current browser.
 */
export const CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var run = JSON.parse(document.getElementById('run-data').textContent);
  var timeline = run.timeline;
  var charts = {};
  window.__charts = charts;
  if (!timeline || timeline.t.length === 0) return;
  var step = timeline.stepSeconds || 1;
  var perSecond = function (values) { return values.map(function (v) { return v === null ? null : v / step; }); };
  var COLORS = { accepted: '#2f9e44', rejected: '#e8590c', failed: '#c92a2a', invalid: '#7048e8', valid: '#1c7ed6', dropped: '#868e96',
    r2xx: '#2f9e44', r3xx: '#1098ad', r4xx: '#e8590c', r5xx: '#c92a2a', network: '#862e9c', retries: '#f08c00', probes: '#495057',
    p50: '#1c7ed6', p95: '#f08c00', p99: '#c92a2a', inFlight: '#1c7ed6', limit: '#2f9e44', rate: '#e8590c' };
  var CHARTS = {
    rows: { title: 'rows done a second, by status', unit: 'rows/s', series: [['accepted'], ['rejected'], ['failed'], ['invalid'], ['valid'], ['dropped']], rate: true },
    latency: { title: 'request latency', unit: 'ms', series: [['p50'], ['p95'], ['p99']] },
    load: { title: 'requests in flight, the limit, and the rate limit', unit: 'requests', series: [['inFlight', 'in flight'], ['limit', 'limit'], ['rate', 'rate limit (requests/s)', 'y2']] },
    responses: { title: 'answers a second, by class; retries and outage probes', unit: 'requests/s', series: [['r2xx', '2xx'], ['r3xx', '3xx'], ['r4xx', '4xx (429 included)'], ['r5xx', '5xx'], ['network', 'no answer'], ['retries', 'retries'], ['probes', 'outage probes']], rate: true },
  };
  // The time axis: ticks a quarter, half or whole seconds apart, or minutes and hours; labels with as
  // many decimals as the step needs, so a short run reads "1.5s 2.0s 2.5s", never "2s 2s 2s".
  var TIME_STEPS = [0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  function seconds(u, values, axis, space, step) {
    var decimals = step < 0.5 ? 2 : step < 1 ? 1 : 0;
    return values.map(function (v) { return v >= 60 ? Math.floor(v / 60) + 'm' + String(Math.round(v % 60)).padStart(2, '0') + 's' : v.toFixed(decimals) + 's'; });
  }
  Object.keys(CHARTS).forEach(function (name) {
    var spec = CHARTS[name];
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) return;
    var used = spec.series.filter(function (s) { return timeline.series[s[0]].some(function (v) { return v !== null && v > 0; }); });
    if (used.length === 0) used = spec.series.slice(0, 1);
    var data = [timeline.t].concat(used.map(function (s) { var v = timeline.series[s[0]]; return spec.rate ? perSecond(v) : v; }));
    var twoAxes = used.some(function (s) { return s[2] === 'y2'; });
    var opts = {
      width: Math.max(320, el.clientWidth), height: 230, legend: { live: true },
      scales: { x: { time: false }, y2: { auto: true } },
      axes: [{ values: function (u, splits, axis, space, step) { var labels = seconds(u, splits, axis, space, step); el.setAttribute('data-x-ticks', labels.join(' ')); return labels; }, incrs: TIME_STEPS, label: 'time since the start' }, { label: spec.unit, size: 60 }].concat(twoAxes ? [{ scale: 'y2', side: 1, grid: { show: false }, label: 'requests/s' }] : []),
      series: [{ label: 'time', value: function (u, v) { return v === null ? '' : Math.round(v) + 's'; } }].concat(used.map(function (s) {
        return { label: s[1] || s[0], stroke: COLORS[s[0]], width: 1.5, scale: s[2] || 'y', spanGaps: false, points: { show: timeline.t.length < 40 } };
      })),
    };
    charts[name] = new uPlot(opts, data, el);
    el.setAttribute('data-points', String(timeline.t.length));
  });
})();
`;
