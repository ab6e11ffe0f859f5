// The open-data portal's script (公共数据开放门户). No inline script anywhere: pages hand data
// over in data-attributes. It draws the dataset chart with the vendored ECharts (bar, line,
// pie, or a map of the city's districts from /assets/districts.geojson) and copies the API
// example to the clipboard. Everything the chart shows is also in the table beside it, so the
// page works without script.
(function () {
  "use strict";

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) return;
        var text = source.textContent.trim();
        var done = function () {
          var label = button.textContent;
          button.textContent = "已复制";
          setTimeout(function () { button.textContent = label; }, 1500);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(done, function () { select(source); });
        } else {
          select(source);
        }
      });
    });
  }

  // Without the clipboard API, select the text so the visitor copies it with Ctrl+C.
  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function labelOf(group) {
    return group.label === null ? "（空）" : group.label;
  }

  function option(chart, mapName) {
    var labels = chart.groups.map(labelOf);
    var values = chart.groups.map(function (g) { return g.value; });
    var named = chart.groups.map(function (g) { return { name: labelOf(g), value: g.value }; });
    var tooltip = { trigger: chart.kind === "bar" || chart.kind === "line" ? "axis" : "item" };
    if (chart.kind === "pie") {
      return {
        tooltip: tooltip,
        legend: { type: "scroll", bottom: 0 },
        series: [{ type: "pie", name: chart.measure_name, radius: ["30%", "62%"], data: named }]
      };
    }
    if (chart.kind === "map") {
      var max = Math.max.apply(null, values.concat([1]));
      return {
        tooltip: tooltip,
        visualMap: { min: 0, max: max, calculable: true, text: ["高", "低"], left: 0, bottom: 0 },
        series: [{
          type: "map", map: mapName, name: chart.measure_name, data: named,
          label: { show: true, fontSize: 11 }, roam: false
        }]
      };
    }
    return {
      tooltip: tooltip,
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: labels.length > 8 ? 40 : 0 } },
      yAxis: { type: "value", name: chart.measure_name },
      series: [{ type: chart.kind, name: chart.measure_name, data: values }]
    };
  }

  function drawChart() {
    var element = document.getElementById("chart");
    if (!element || typeof echarts === "undefined") return;
    var chart;
    try {
      chart = JSON.parse(element.getAttribute("data-chart"));
    } catch (e) {
      return;
    }
    var instance = echarts.init(element, null, { renderer: "canvas" });
    var show = function (mapName) {
      instance.setOption(option(chart, mapName));
      element.setAttribute("data-rendered", chart.kind);
    };
    window.addEventListener("resize", function () { instance.resize(); });
    if (chart.kind !== "map") {
      show(null);
      return;
    }
    fetch(element.getAttribute("data-map"))
      .then(function (res) { return res.json(); })
      .then(function (geo) {
        echarts.registerMap("city", geo);
        show("city");
      })
      .catch(function () {
        chart.kind = "bar";
        show(null);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    drawChart();
  });
})();
