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
