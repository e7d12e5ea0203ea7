package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// phaseResult is one page loaded for one phase.
type phaseResult struct {
	latencies []time.Duration
	elapsed   time.Duration
}

func (r phaseResult) rps() float64 { return float64(len(r.latencies)) / r.elapsed.Seconds() }

// percentile of sorted latencies, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(int(p*float64(len(sorted))), len(sorted)-1)
	return float64(sorted[i]) / 1e6
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// report prints one row per page: requests, the best and median round's
// requests per second, latency percentiles over all rounds, and the median
// over rounds of its throughput relative to /healthz in the same round.
func report(w io.Writer, targets []target, results map[string][]phaseResult) {
	base := results[targets[0].name]
	fmt.Fprintf(w, "%-8s %9s %9s %9s %8s %8s %8s %8s %12s\n", "page", "requests", "rps best", "rps med", "p50 ms", "p90 ms", "p99 ms", "max ms", "vs healthz")
	for _, t := range targets {
		var all []time.Duration
		var rps, ratio []float64
		for i, r := range results[t.name] {
			all = append(all, r.latencies...)
			rps = append(rps, r.rps())
			if i < len(base) { // an interrupted run may lack the last rounds' healthz
				ratio = append(ratio, r.rps()/base[i].rps())
			}
		}
		if len(all) == 0 {
			continue // not reached before an interrupt
		}
		slices.Sort(all)
		// The slowest request too: issue 17 bounds it (1 s) while a vacuum runs.
		fmt.Fprintf(w, "%-8s %9d %9.0f %9.0f %8.2f %8.2f %8.2f %8.2f %11.1f%%\n", t.name, len(all), slices.Max(rps), median(rps),
			percentile(all, 0.50), percentile(all, 0.90), percentile(all, 0.99), percentile(all, 1), 100*median(ratio))
	}
}
