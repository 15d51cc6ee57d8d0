// Package metrics holds the Prometheus registry of one Marquee process and the metrics that the
// shared plumbing records (gRPC methods, GraphQL operations, HTTP routes).
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one process's registry and its shared metrics. Each App has its own, so several
// can run in one test process.
type Metrics struct {
	Registry *prometheus.Registry

	GRPCServer *prometheus.HistogramVec // labels: method, code
	GraphQL    *prometheus.HistogramVec // labels: operation, result
	HTTP       *prometheus.HistogramVec // labels: route, code
	ModuleUp   *prometheus.GaugeVec     // labels: module
	// EventsDropped counts seat-change events lost: by a slow subscriber, or by the Redis bus
	// (its publish queue full, or Redis failing to take them).
	EventsDropped prometheus.Counter
}

var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// New returns a registry with Go and process collectors and the shared metrics.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: reg,
		GRPCServer: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "marquee_grpc_server_handling_seconds", Help: "Time to handle a gRPC call, by method and status code.",
			Buckets: latencyBuckets}, []string{"method", "code"}),
		GraphQL: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "marquee_graphql_operation_seconds", Help: "Time to execute a GraphQL operation, by operation name and result.",
			Buckets: latencyBuckets}, []string{"operation", "result"}),
		HTTP: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "marquee_http_request_seconds", Help: "Time to serve an HTTP request, by route and status code.",
			Buckets: latencyBuckets}, []string{"route", "code"}),
		ModuleUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "marquee_module_running", Help: "1 while a module of this process is running."}, []string{"module"}),
	}
	m.EventsDropped = prometheus.NewCounter(prometheus.CounterOpts{Name: "marquee_events_dropped_total",
		Help: "Seat-change events lost by subscribers that fell behind, or not sent to Redis."})
	reg.MustRegister(m.GRPCServer, m.GraphQL, m.HTTP, m.ModuleUp, m.EventsDropped)
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
