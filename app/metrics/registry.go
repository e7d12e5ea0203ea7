// Package metrics keeps builder-web's counters and histograms and writes
// them in the Prometheus text exposition format (version 0.0.4). It is a
// few hundred lines instead of a dependency: we need counters, gauges and
// histograms with labels, nothing else.
package metrics

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// family is one metric name with its help text, type and labelled series.
type family struct {
	name, help, kind string
	labels           []string
	buckets          []float64 // histograms only

	mu     sync.Mutex
	series map[string]*series // by encoded label values
}

type series struct {
	labels string // rendered {a="x",b="y"}, or ""
	value  float64
	// histograms: counts per bucket (not cumulative), sum and count
	counts []uint64
	sum    float64
	count  uint64
}

func newFamily(name, help, kind string, buckets []float64, labels ...string) *family {
	return &family{name: name, help: help, kind: kind, labels: labels, buckets: buckets,
		series: map[string]*series{}}
}

// get returns the series for these label values, creating it; callers
// hold f.mu.
func (f *family) get(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metric %s: %d label values for %d labels", f.name, len(values), len(f.labels)))
	}
	key := strings.Join(values, "\x00")
	s, ok := f.series[key]
	if !ok {
		s = &series{labels: renderLabels(f.labels, values)}
		if f.kind == "histogram" {
			s.counts = make([]uint64, len(f.buckets)+1)
		}
		f.series[key] = s
	}
	return s
}

func (f *family) add(v float64, values ...string) {
	f.mu.Lock()
	f.get(values).value += v
	f.mu.Unlock()
}

func (f *family) observe(v float64, values ...string) {
	f.mu.Lock()
	s := f.get(values)
	i, _ := slices.BinarySearch(f.buckets, v) // first bucket with le >= v
	s.counts[i]++
	s.sum += v
	s.count++
	f.mu.Unlock()
}

// write prints the family; a family without series prints nothing, as
// client libraries do for labelled metrics nobody touched yet.
func (f *family) write(w io.Writer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.series) == 0 {
		return nil
	}
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.kind)
	for _, k := range keys {
		s := f.series[k]
		if f.kind != "histogram" {
			fmt.Fprintf(&b, "%s%s %s\n", f.name, s.labels, formatFloat(s.value))
			continue
		}
		var cum uint64
		for i, le := range f.buckets {
			cum += s.counts[i]
			fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, withLabel(s.labels, "le", formatFloat(le)), cum)
		}
		fmt.Fprintf(&b, "%s_bucket%s %d\n", f.name, withLabel(s.labels, "le", "+Inf"), s.count)
		fmt.Fprintf(&b, "%s_sum%s %s\n", f.name, s.labels, formatFloat(s.sum))
		fmt.Fprintf(&b, "%s_count%s %d\n", f.name, s.labels, s.count)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderLabels(names, values []string) string {
	if len(names) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(escapeLabel(values[i]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// withLabel adds one more label to rendered labels.
func withLabel(labels, name, value string) string {
	extra := name + `="` + value + `"`
	if labels == "" {
		return "{" + extra + "}"
	}
	return labels[:len(labels)-1] + "," + extra + "}"
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// gauge writes one unlabelled sample computed at scrape time.
func writeGauge(w io.Writer, name, help string, v float64) error {
	_, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, escapeHelp(help), name, name, formatFloat(v))
	return err
}
