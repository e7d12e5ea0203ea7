package views

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/static"
)

// frontRowsTemplate is the front page's row markup as a template, the way
// front.html wrote it before FrontJob.TableRows took over: the reference
// that TableRows must reproduce byte for byte.
const frontRowsTemplate = `{{define "rows"}}{{$job := .}}{{range $i, $b := .Builds}}
<tr class="{{if eq $i 0}}job-first{{else}}job-more{{end}}" data-job="{{$job.Name}}">{{if eq $i 0}}<td rowspan="{{len $job.Builds}}" class="job-name"><a href="{{$job.URL}}">{{$job.Name}}</a>{{with $job.Synopsis}}<br><small>{{.}}</small>{{end}}</td>{{end}}
<td data-label="Platform"><span class="result {{if $b.Result.OK}}result-ok{{else}}result-fail{{end}}" title="{{$b.Result.Text}}"><span class="mark" aria-hidden="true">{{if $b.Result.OK}}&#9745;{{else}}&#9746;{{end}}</span></span><a href="{{$b.PlatformURL}}">{{$b.Platform}}</a></td>
<td data-label="Latest build"><a href="{{$b.URL}}">{{template "time" $b.Start}}</a>{{with $b.Repro}} <a href="{{.URL}}" class="verdict verdict-{{.Verdict.Key}}" title="{{.Verdict.Label}}, {{.Text}}"><span class="mark" aria-hidden="true">{{.Verdict.Mark}}</span><span class="visually-hidden">{{.Verdict.Label}}</span></a>{{end}}</td>
<td data-label="Main binary">{{with $b.Binary}}<a href="{{.URL}}">Download {{.Name}} ({{size .Size}})</a>{{end}}</td>
<td data-label="SHA-256" class="col-optional">{{with $b.Binary}}{{template "hash" .SHA256}}{{end}}</td>
</tr>{{end}}{{end}}`

func TestFrontRowsMatchTemplate(t *testing.T) {
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.New("").Funcs(funcMap(assets)).ParseFS(templateFS, "templates/partials.html")
	if err != nil {
		t.Fatal(err)
	}
	if tmpl, err = tmpl.Parse(frontRowsTemplate); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 9, 5, 7, 3, 11, 500, time.UTC)
	sha := []byte("\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef")
	// Values with everything the escapers treat specially: markup, quotes,
	// '&' and '+', NUL, non-ASCII and invalid UTF-8, URLs with spaces,
	// valid and invalid % escapes, and a scheme that must be filtered.
	odd := "a+b <i>\"x\" & 'y'\x00 é\xff"
	urls := []string{"/job/a+b/build/1?x=1&y='2' é%zz%2F#f", "javascript:alert(1)", "HTTPS://x/y", "/a:b/c", "mailto:x@y"}
	for n, u := range urls {
		job := FrontJob{Name: odd, URL: u, Synopsis: odd}
		if n%2 == 1 {
			job.Synopsis = ""
		}
		for k, platform := range []string{"debian-12", odd, "freebsd-14"} {
			r := BuildRow{
				UUID: "u", URL: urls[(n+k)%len(urls)], Platform: platform, PlatformURL: urls[(n+k+1)%len(urls)],
				Start: start, Result: Result{OK: k != 1, Text: odd},
			}
			if k != 2 {
				r.Binary = &Binary{Name: odd, URL: u + "/f/" + odd, SHA256: sha, Size: int64(1234567 * (k + 1))}
				r.Repro = &RowRepro{Verdict: Verdict{Key: "not-reproducible", Mark: "✗", Label: odd}, Text: "×2, 2 uploaders", URL: urls[(n+k+2)%len(urls)]}
			}
			r.Format(time.Now()) // as the "time" partial does
			job.Builds = append(job.Builds, r)
			var want strings.Builder
			if err := tmpl.ExecuteTemplate(&want, "rows", job); err != nil {
				t.Fatal(err)
			}
			if got := string(job.TableRows()); got != want.String() {
				t.Errorf("URL %q, %d rows:\ngot  %s\nwant %s", u, len(job.Builds), got, want.String())
			}
			// The same rows from cells kept by the handler (BuildRow.Cells).
			cached := job
			cached.Builds = nil
			for _, r := range job.Builds {
				cached.Builds = append(cached.Builds, BuildRow{Cells: FrontCells(&r)})
			}
			if got := string(cached.TableRows()); got != want.String() {
				t.Errorf("URL %q, %d rows from their cells:\ngot  %s\nwant %s", u, len(job.Builds), got, want.String())
			}
		}
	}
}

// A section's rows are its jobs' rows in order, cut into pieces at job
// boundaries (FrontSection.TableRows).
func TestFrontSectionRowsAreJobRows(t *testing.T) {
	start := time.Date(2024, 9, 5, 7, 3, 11, 500, time.UTC)
	var s FrontSection
	var want strings.Builder
	for j := range 120 {
		job := FrontJob{Name: strings.Repeat("j", j+1), URL: "/job/x", Synopsis: "s"}
		for k := range 4 {
			r := BuildRow{UUID: "u", URL: "/job/x/build/u", Platform: strings.Repeat("p", k+1), PlatformURL: "/job/x?platform=p",
				Start: start, Result: Result{OK: true, Text: "ok"}, Binary: &Binary{Name: "bin", URL: "/f", SHA256: []byte{1, 2}, Size: 12}}
			r.Format(start)
			job.Builds = append(job.Builds, r)
		}
		want.WriteString(string(job.TableRows()))
		s.Jobs = append(s.Jobs, job)
	}
	pieces := s.TableRows()
	var got strings.Builder
	for _, p := range pieces {
		got.WriteString(string(p))
		if !strings.HasPrefix(string(p), "\n<tr class=\"job-first\"") {
			t.Errorf("a piece starts inside a job: %.60q", p)
		}
	}
	if got.String() != want.String() {
		t.Errorf("section rows differ from the jobs' rows (%d and %d bytes)", got.Len(), want.Len())
	}
	if len(pieces) < 2 || want.Len()/len(pieces) > 2*rowChunk {
		t.Errorf("%d bytes in %d pieces, want pieces of about %d bytes", want.Len(), len(pieces), rowChunk)
	}
}

// jobRowsTemplate is the job page's row markup as a template, the way
// job.html wrote it before JobPage.TableRows took over: the reference that
// TableRows must reproduce byte for byte.
const jobRowsTemplate = `{{define "jobrows"}}{{range .Rows}}<tr class="build-row">
<td class="center" data-label="A"><input type="radio" name="left" value="{{.UUID}}" aria-label="Compare build of {{.StartText}} as A"></td>
<td class="center" data-label="B"><input type="radio" name="right" value="{{.UUID}}" aria-label="Compare build of {{.StartText}} as B"></td>
<td data-label="Result">{{template "result" .Result}}</td>
<td data-label="Platform"><a href="{{.PlatformURL}}">{{.Platform}}</a></td>
<td data-label="Start"><a href="{{.URL}}"><time datetime="{{.StartISO}}" title="{{.StartAgo}}">{{.StartText}}</time></a></td>
<td data-label="Duration" class="num col-optional">{{.DurationText}}</td>
{{if .Binary}}<td data-label="Main binary"><a href="{{.Binary.URL}}">Download {{.Binary.Name}} ({{.Binary.SizeText}})</a>{{if .OutputURL}}
<details class="output" hx-get="{{.OutputURL}}" hx-trigger="toggle once" hx-target="find .output-builds"><summary>built {{if eq .Count 1}}once{{else}}{{.Count}} times{{end}}</summary><div class="output-builds"><a href="{{.OutputURL}}">List the {{count .Count "build" "builds"}}</a></div></details>{{end}}</td>
<td data-label="SHA-256" class="col-optional"><span class="hash-copy"><span class="hash hash-short" title="{{.Binary.Hex}}">{{.Binary.ShortHash}}</span><button type="button" class="copy js-only secondary outline" data-copy="{{.Binary.Hex}}" aria-label="Copy SHA-256">Copy</button></span></td>
<td data-label="Reproducible">{{with .Repro}}<a href="{{.URL}}" class="repro-mark">{{template "verdict" .Verdict}}</a> <small>{{.Text}}</small>{{else}}<span class="verdict verdict-unverified" title="No input id: the build lacks opam-switch, build-environment or system-packages"><span class="mark" aria-hidden="true">?</span> unknown input</span>{{end}}</td>{{else}}<td colspan="3" data-label="Main binary">Build failure: {{.Result.Text}}</td>{{end}}
</tr>
{{end}}{{end}}`

func TestJobRowsMatchTemplate(t *testing.T) {
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.New("").Funcs(funcMap(assets)).ParseFS(templateFS, "templates/partials.html")
	if err != nil {
		t.Fatal(err)
	}
	if tmpl, err = tmpl.Parse(jobRowsTemplate); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 9, 5, 7, 3, 11, 500, time.UTC)
	sha := []byte("\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef")
	odd := "a+b <i>\"x\" & 'y'\x00 é\xff"
	urls := []string{"/job/a+b/build/1?x=1&y='2' é%zz%2F#f", "javascript:alert(1)", "HTTPS://x/y", "/a:b/c", "mailto:x@y"}
	var page JobPage
	for n := range 12 {
		r := BuildRow{
			UUID: odd, URL: urls[n%len(urls)], Platform: odd, PlatformURL: urls[(n+1)%len(urls)],
			Start: start, Duration: time.Duration(n) * time.Minute, Result: Result{OK: n%4 != 3, Text: odd}, Count: n % 3,
		}
		if n%4 != 3 {
			r.Binary = &Binary{Name: odd, URL: urls[(n+2)%len(urls)], SHA256: sha, Size: int64(1234567 * n)}
			if n%2 == 0 {
				r.OutputURL = urls[(n+3)%len(urls)]
			}
			if n%3 != 0 {
				r.Repro = &RowRepro{Verdict: Verdict{Key: odd, Mark: "✗", Label: odd}, Text: odd, URL: urls[(n+4)%len(urls)]}
			}
		}
		r.Format(time.Now())
		page.Rows = append(page.Rows, r)
	}
	var want strings.Builder
	if err := tmpl.ExecuteTemplate(&want, "jobrows", page); err != nil {
		t.Fatal(err)
	}
	if got := string(page.TableRows()); got != want.String() {
		t.Errorf("got  %s\nwant %s", got, want.String())
	}
}
