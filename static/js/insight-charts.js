/*
 * Draws the insights charts with ECharts (served from node_modules, never a CDN).
 *
 * Each chart is an element with data-chart-source naming a <script type="application/json">
 * written by Django's json_script (burden.insights.charts.Chart.as_json):
 *   {kind: "stacked" | "bars" | "horizontal", valueLabel, categories: [label],
 *    series: [{name, line, values: [number], links: [url or null]}]}
 * The same numbers are in the table under the chart. Clicking a bar opens the records behind it.
 * ECharts' own texts (the toolbox, "no data") follow the page's language: ZH or EN.
 */
(function () {
  "use strict";

  var language = (document.documentElement.lang || "").toLowerCase();
  var locale = language.indexOf("zh") === 0 ? "ZH" : "EN";
  var numberFormat = new Intl.NumberFormat(language || undefined, { maximumFractionDigits: 1 });

  function option(data) {
    var horizontal = data.kind === "horizontal";
    var stacked = data.kind === "stacked" || (horizontal && data.series.length > 1);
    var categoryAxis = { type: "category", data: data.categories, axisLabel: { hideOverlap: true } };
    var valueAxis = { type: "value", name: data.valueLabel, axisLabel: { formatter: numberFormat.format } };
    if (horizontal) {
      categoryAxis.inverse = true; // the first (largest) at the top, as in the table
      categoryAxis.axisLabel.width = 160;
      categoryAxis.axisLabel.overflow = "truncate";
    }
    return {
      // Drawn on the canvas: ECharts' HTML tooltip is markup with style="" attributes, which the CSP blocks.
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: numberFormat.format,
        renderMode: "richText",
      },
      legend: { show: data.series.length > 1, type: "scroll", top: 0 },
      // ECharts 6 keeps the axis labels inside the element by itself (grid.outerBoundsMode "auto").
      grid: { left: 8, right: 16, top: data.series.length > 1 ? 36 : 16, bottom: 8 },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: data.series.map(function (series) {
        return {
          name: series.name,
          type: series.line ? "line" : "bar",
          stack: series.line || !stacked ? undefined : "total",
          data: series.values,
          emphasis: { focus: "series" },
          cursor: series.links && series.links.some(Boolean) ? "pointer" : "default",
        };
      }),
    };
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.chartSource);
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    // Horizontal bars grow with their rows (app.css); set before ECharts measures the element.
    element.style.setProperty("--chart-rows", element.dataset.chartRows);
    var chart = echarts.init(element, null, { locale: locale });
    chart.setOption(option(data));
    chart.on("click", function (event) {
      var series = data.series[event.seriesIndex];
      var link = series && series.links ? series.links[event.dataIndex] : null;
      if (link) {
        window.location.href = link;
      }
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  document.querySelectorAll("[data-chart-source]").forEach(draw);
})();
