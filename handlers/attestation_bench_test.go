package handlers_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// BenchmarkAttestation times an uncached attestation (page cache off): the
// queries, hashing the script, building and signing the statement, for a
// build with 5 and with 1,000 artifacts; "json" is the build's JSON in the
// same run, as the baseline of a noisy machine.
func BenchmarkAttestation(b *testing.B) {
	for _, n := range []int{5, 1000} {
		b.Run(fmt.Sprintf("artifacts=%d", n), func(b *testing.B) {
			env := apptest.New(b, func(c *server.Config) { c.PageCacheSize = -1 })
			env.AddUser(b, testUser, testPW, false)
			files := append([]builder.File{binary("bin/big.hvt", "big")}, inputFiles("big")...)
			for i := len(files); i < n; i++ {
				files = append(files, builder.File{Path: fmt.Sprintf("share/f%04d", i), Data: []byte(fmt.Sprint(i))})
			}
			r := rec{job: "big", uuid: testUUID(1), start: t0, files: files}
			if resp := env.Upload(b, "/upload", testUser, testPW, r.encode(b)); resp.Status != http.StatusCreated {
				b.Fatalf("upload: %d %s", resp.Status, resp.Body)
			}
			for _, c := range []struct{ name, url, accept string }{
				{"attestation", buildURL("big", testUUID(1)) + "/attestation", ""},
				{"json", buildURL("big", testUUID(1)), "application/json"},
			} {
				b.Run(c.name, func(b *testing.B) {
					size := 0
					for b.Loop() {
						resp := env.Get(b, c.url, "Accept", c.accept)
						if resp.Status != http.StatusOK {
							b.Fatalf("status %d", resp.Status)
						}
						size = len(resp.Body)
					}
					b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/op")
					b.ReportMetric(float64(size), "bytes")
				})
			}
		})
	}
}
