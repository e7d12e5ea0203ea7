package handlers_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/metrics"
	"github.com/builder-web/builder-web/handlers"
)

// The operator's view of the request log: one JSON line per request with
// the route pattern, the final status (errors included) and the size.
func TestRequestLog(t *testing.T) {
	var out bytes.Buffer
	h := &handlers.Handler{
		Log:     slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: metrics.New(nil, nil),
	}
	f := fiber.New(fiber.Config{ErrorHandler: h.Error})
	f.Use(h.RequestLog)
	f.Get("/job/:job", func(c *fiber.Ctx) error { return c.SendString("hello") })
	f.Get("/broken", func(c *fiber.Ctx) error { return httperr.BadRequest("Bad uuid", nil) })
	f.Get("/healthz", h.Healthz)
	f.Use(h.NotFound)

	for _, url := range []string{"/job/foo", "/broken", "/nowhere", "/healthz"} {
		resp, err := f.Test(httptest.NewRequest(http.MethodGet, url, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	type line struct {
		Level, Msg, Method, Route, Path, Client string
		Status                                  int
		Bytes                                   int64
		Duration                                int64
	}
	var got []line
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r line
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if r.Msg == "request" {
			got = append(got, r)
		}
	}
	want := []line{
		{Level: "INFO", Method: "GET", Route: "/job/:job", Path: "/job/foo", Status: 200, Bytes: 5},
		{Level: "INFO", Method: "GET", Route: "/broken", Path: "/broken", Status: 400, Bytes: int64(len("Bad uuid\n"))},
		{Level: "INFO", Method: "GET", Route: "unmatched", Path: "/nowhere", Status: 404},
		{Level: "DEBUG", Method: "GET", Route: "/healthz", Path: "/healthz", Status: 200, Bytes: 3},
	}
	if len(got) != len(want) {
		t.Fatalf("%d request lines, want %d:\n%s", len(got), len(want), out.String())
	}
	for i, w := range want {
		g := got[i]
		if g.Level != w.Level || g.Method != w.Method || g.Route != w.Route || g.Path != w.Path || g.Status != w.Status ||
			(w.Bytes != 0 && g.Bytes != w.Bytes) || g.Duration <= 0 || g.Client == "" {
			t.Errorf("line %d = %+v, want %+v", i, g, w)
		}
	}
}
