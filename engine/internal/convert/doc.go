// Package convert maps Tiller's protocol (hapi, Helm v2.17) to Helm 4's SDK
// types and back. Every function is pure: no cluster, no I/O.
//
// What hapi cannot say is handled here in one place: a chart's Chart.yaml
// travels among the chart's files (hapi.chart.Metadata has no type and no
// dependencies) and is preferred over the Metadata fields when present;
// Config.values (Tiller's parsed map) is refused, only Config.raw is read.
package convert
