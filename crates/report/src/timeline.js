// Breakwater timelines: per scenario, one policy at a time (buttons), three uPlot charts sharing
// the time axis (drag to zoom, synced), breaker and review periods shaded, events as dashed
// verticals, a tooltip with exact values. window.breakwater exposes the charts for tests.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("bw-data").textContent);
  var api = (window.breakwater = { timelines: {} });
  var C = {
    spot: "#D55E00", nav: "#0072B2", fund: "#009E73", oracle: "#000000", borrow: "#CC79A7",
    depth: "#56B4E9", bad: "#D55E00", shadow: "#7B3294", fast: "#D55E00", slow: "#0072B2",
    breaker: "#E69F00"
  };

  function exact(v) {
    if (v == null || !isFinite(v)) return "–";
    var a = Math.abs(v);
    if (a >= 1000) return v.toLocaleString("en-US", { maximumFractionDigits: 2 });
    if (a === 0 || Number.isInteger(v)) return String(v);
    return String(+v.toPrecision(6));
  }
  function hm(h) {
    var s = Math.round(h * 3600), d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600),
      m = Math.floor((s % 3600) / 60);
    return (d ? d + "d " : "") + hh + "h" + (m < 10 ? "0" : "") + m;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  // Shaded periods and event markers, drawn under the series.
  function overlay(run, labels) {
    return {
      hooks: {
        drawClear: function (u) {
          var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
          var px = function (x) { return u.valToPos(x, "x", true); };
          ctx.save();
          ctx.beginPath();
          ctx.rect(u.bbox.left, top, u.bbox.width, h);
          ctx.clip();
          var x = run.x, b = run.breaker;
          for (var i = 0; i < b.length; i++) {
            if (!b[i]) continue;
            var x1 = i + 1 < x.length ? x[i + 1] : x[i];
            ctx.fillStyle = "rgba(230,159,0," + (0.07 * b[i]) + ")";
            ctx.fillRect(px(x[i]), top, Math.max(px(x1) - px(x[i]), 1), h);
          }
          ctx.fillStyle = "rgba(110,110,110,0.22)";
          run.review.forEach(function (r) {
            ctx.fillRect(px(r[0]), top, Math.max(px(r[1]) - px(r[0]), 1), h);
          });
          ctx.restore();
        },
        draw: function (u) {
          var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height, dpr = devicePixelRatio || 1;
          var lo = u.scales.x.min, hi = u.scales.x.max;
          ctx.save();
          ctx.strokeStyle = "#555";
          ctx.fillStyle = "#333";
          ctx.setLineDash([4 * dpr, 3 * dpr]);
          ctx.lineWidth = dpr;
          ctx.font = 11 * dpr + "px Helvetica, Arial, sans-serif";
          var shown = 0;
          run.events.forEach(function (e) {
            if (e.x < lo || e.x > hi) return;
            var p = Math.round(u.valToPos(e.x, "x", true)) + 0.5;
            ctx.beginPath();
            ctx.moveTo(p, top);
            ctx.lineTo(p, top + h);
            ctx.stroke();
            if (labels) {
              var w = ctx.measureText(e.label).width, tx = p + 3 * dpr;
              if (tx + w > u.bbox.left + u.bbox.width) tx = p - 3 * dpr - w;
              ctx.fillText(e.label, tx, top + (12 + 12 * (shown % 3)) * dpr);
            }
            shown++;
          });
          ctx.restore();
        }
      }
    };
  }

  // A tooltip with the exact values of the visible series at the cursor.
  function tooltip(units, colors) {
    var tip;
    return {
      hooks: {
        init: function (u) {
          tip = el("div", { class: "tip" });
          u.over.appendChild(tip);
        },
        setCursor: function (u) {
          var i = u.cursor.idx;
          if (i == null || u.cursor.left < 0) { tip.style.display = "none"; return; }
          var rows = ["<b>t = " + exact(u.data[0][i]) + " h</b> (" + hm(u.data[0][i]) + ")"];
          for (var s = 1; s < u.series.length; s++) {
            var se = u.series[s];
            if (!se.show) continue;
            rows.push('<span class="swatch" style="background:' + colors[s] + '"></span>' +
              se.label + ": " + exact(u.data[s][i]) + (units[s] ? " " + units[s] : ""));
          }
          tip.innerHTML = rows.join("<br>");
          tip.style.display = "block";
          var l = u.cursor.left, t = u.cursor.top, W = u.over.clientWidth;
          tip.style.left = (l + 14 + tip.offsetWidth > W ? l - 14 - tip.offsetWidth : l + 14) + "px";
          tip.style.top = Math.max(0, t - tip.offsetHeight / 2) + "px";
        }
      }
    };
  }

  function step() { return uPlot.paths.stepped({ align: 1 }); }

  // The three panels' definitions for one run.
  function panels(run) {
    var price = [
      { label: "spot (AMM)", stroke: C.spot, data: run.spot },
      { label: "NAV (reported)", stroke: C.nav, data: run.nav },
      { label: "fundamental value", stroke: C.fund, dash: [6, 4], data: run.fundamental },
      { label: "oracle (liquidation price)", stroke: C.oracle, dash: [2, 3], data: run.oracle }
    ];
    if (run.borrow) price.push({ label: "oracle (borrow price)", stroke: C.borrow, dash: [8, 3], data: run.borrow });
    var liq = [{ label: "fast liquidations so far", stroke: C.fast, data: run.fast, scale: "n", step: true }];
    if (run.slow) liq.push({ label: "slow liquidations so far", stroke: C.slow, data: run.slow, scale: "n", step: true });
    liq.push({ label: "breaker level", stroke: C.breaker, data: run.breaker, scale: "lvl", step: true, width: 2 });
    return [
      {
        title: "Prices of the collateral", sub: "per share, in loan units",
        height: 260, unit: "loan units", series: price,
        axes: [{ label: "price per share (loan units)" }, { blank: true, side: 1 }]
      },
      {
        title: "Pool depth and losses", sub: "in loan units: the AMM's stablecoin reserve (left axis); bad debt so far and shadow insolvency (right axis)",
        height: 200, unit: "loan units",
        series: [
          { label: "pool depth (stablecoin reserve)", stroke: C.depth, data: run.depth, scale: "depth", width: 2 },
          { label: "bad debt so far", stroke: C.bad, data: run.bad_debt, scale: "loss" },
          { label: "shadow insolvency", stroke: C.shadow, dash: [5, 3], data: run.shadow, scale: "loss" }
        ],
        axes: [{ label: "pool depth (loan units)", scale: "depth" },
          { label: "losses (loan units)", scale: "loss", side: 1 }]
      },
      {
        title: "Liquidations and the circuit breaker", sub: "cumulative counts (left axis); breaker level 0 normal, 1 borrows closed, 2 throttled, 3 halted (right axis)",
        height: 200, unit: "", series: liq,
        axes: [{ label: "liquidations (count)", scale: "n" },
          { label: "breaker level", scale: "lvl", side: 1, splits: [0, 1, 2, 3] }]
      }
    ];
  }

  function makeChart(tl, run, p, idx, width, syncKey) {
    var units = [null], colors = [null];
    var series = [{ label: "time (h)" }];
    var cols = [run.x];
    p.series.forEach(function (s) {
      series.push({
        label: s.label, stroke: s.stroke, width: s.width || 1.6, dash: s.dash, scale: s.scale || "y",
        paths: s.step ? step() : undefined, spanGaps: false,
        value: function (u, v) { return exact(v); }
      });
      cols.push(s.data);
      colors.push(s.stroke);
      units.push(p.unit && s.scale !== "lvl" && !/liquidations/.test(s.label) ? p.unit : "");
    });
    var scales = { x: { time: false }, lvl: { range: [0, 3.2] } };
    var font = "11px Helvetica, Arial, sans-serif", labelFont = "bold 12px Helvetica, Arial, sans-serif";
    var axes = [{ label: "time since start (h)", labelSize: 18, size: 36, font: font, labelFont: labelFont }];
    p.axes.forEach(function (a) {
      // Every chart has a right axis of the same size, so the three plots line up in time.
      var ax = { label: a.label, scale: a.scale || "y", labelSize: 18, size: 66, font: font, labelFont: labelFont };
      if (a.blank) {
        ax.label = "";
        ax.scale = "y";
        ax.values = function (u, splits) { return splits.map(function () { return ""; }); };
        ax.ticks = { show: false };
      }
      if (a.side) { ax.side = a.side; ax.grid = { show: false }; }
      if (a.splits) ax.splits = function () { return a.splits; };
      axes.push(ax);
    });
    var opts = {
      width: width, height: p.height, scales: scales, series: series, axes: axes,
      cursor: { sync: { key: syncKey }, drag: { x: true, y: false } },
      legend: { live: true },
      plugins: [overlay(run, idx === 0), tooltip(units, colors)],
      hooks: {
        setScale: [function (u, key) {
          if (key !== "x" || tl.syncing) return;
          tl.syncing = true;
          tl.charts.forEach(function (o) {
            if (o !== u) o.setScale("x", { min: u.scales.x.min, max: u.scales.x.max });
          });
          tl.syncing = false;
          tl.range = [u.scales.x.min, u.scales.x.max];
          tl.onRange();
        }]
      }
    };
    return new uPlot(opts, cols, tl.slots[idx]);
  }

  function build(tl, div) {
    var bar = el("div", { class: "bar" });
    bar.appendChild(el("span", {}, "Policy:"));
    var buttons = tl.data.runs.map(function (r, i) {
      var b = el("button", { type: "button", "data-policy": r.policy, "aria-pressed": "false" }, r.policy);
      b.addEventListener("click", function () { tl.select(i); });
      bar.appendChild(b);
      return b;
    });
    bar.appendChild(el("span", {}, " Zoom:"));
    var shockBtn = null;
    if (tl.data.shock) {
      var s = tl.data.shock;
      shockBtn = el("button", { type: "button", class: "zoom-shock" },
        "Shock window (" + exact(+s[0].toFixed(1)) + "–" + exact(+s[1].toFixed(1)) + " h)");
      shockBtn.addEventListener("click", function () { tl.zoom(s[0], s[1]); });
      bar.appendChild(shockBtn);
    }
    var whole = el("button", { type: "button", class: "zoom-whole" }, "Whole run");
    whole.addEventListener("click", function () { tl.zoom(null, null); });
    bar.appendChild(whole);
    var range = el("span", { class: "range hint" });
    bar.appendChild(range);
    div.appendChild(bar);
    var meta = el("p", { class: "hint run-note" });
    div.appendChild(meta);
    tl.slots = [0, 1, 2].map(function () {
      var wrap = el("div", { class: "panel" });
      wrap.appendChild(el("h4"));
      wrap.appendChild(el("p", { class: "sub" }));
      var slot = el("div", { class: "chart" });
      wrap.appendChild(slot);
      div.appendChild(wrap);
      return slot;
    });
    tl.onRange = function () {
      if (tl.range && tl.range[0] != null) {
        range.textContent = "showing " + exact(+tl.range[0].toFixed(2)) + "–" +
          exact(+tl.range[1].toFixed(2)) + " h";
      }
    };
    tl.select = function (i) {
      var run = tl.data.runs[i];
      var keep = tl.range;
      tl.charts.forEach(function (c) { c.destroy(); });
      tl.charts = [];
      tl.policy = i;
      buttons.forEach(function (b, j) { b.setAttribute("aria-pressed", String(i === j)); });
      var notes = [];
      notes.push(run.events_recorded ? "Markers: the scenario's events." :
        "Markers: moves of the reported NAV and falls of the pool's depth (this run does not record its scenario events).");
      if (run.review.length) notes.push(run.review_recorded ? "Grey: NAV under review." : "Grey: NAV under review, from the breach and resolution events.");
      if (!run.slow && run.slow_total > 0) {
        notes.push("This run records only its total of slow liquidations (" + run.slow_total + "), not their times.");
      }
      notes.push("Seed " + run.seed + ".");
      meta.textContent = notes.join(" ");
      var width = Math.max(320, div.clientWidth - 4);
      panels(run).forEach(function (p, k) {
        var wrap = tl.slots[k].parentNode;
        wrap.children[0].textContent = p.title + " — " + run.policy;
        wrap.children[1].textContent = p.sub + "; time in hours since the start.";
        tl.charts.push(makeChart(tl, run, p, k, width, tl.data.id));
      });
      if (keep) tl.zoom(keep[0], keep[1]);
    };
    tl.zoom = function (a, b) {
      var x = tl.data.runs[tl.policy].x;
      if (a == null) { a = x[0]; b = x[x.length - 1]; }
      if (!(b > a)) return;
      tl.charts[0].setScale("x", { min: a, max: b });
    };
  }

  function init() {
    data.forEach(function (d) {
      var div = document.getElementById(d.id);
      if (!div || !d.runs.length) return;
      var tl = { data: d, charts: [], range: null, syncing: false };
      api.timelines[d.id] = tl;
      build(tl, div);
      tl.select(d.first);
      if (d.shock) tl.zoom(d.shock[0], d.shock[1]);
      else tl.zoom(null, null);
    });
    var pending;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        Object.keys(api.timelines).forEach(function (k) {
          var tl = api.timelines[k], w = Math.max(320, document.getElementById(k).clientWidth - 4);
          tl.charts.forEach(function (c) { c.setSize({ width: w, height: c.height }); });
        });
      }, 150);
    });
    api.ready = true;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
