package handlers_test

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// rawConn is one TCP connection to a test server, for what net/http
// clients cannot send: half headers, lying lengths, stalls.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func (s *liveServer) dial(t *testing.T) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{Conn: c, r: bufio.NewReader(c)}
}

func (c *rawConn) send(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// response reads one response, waiting at most within.
func (c *rawConn) response(t *testing.T, within time.Duration) *http.Response {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		t.Fatalf("no response within %s: %v", within, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

// closed waits at most within for the server to close the connection,
// discarding what it sends first (an error response), and says after how
// long it did.
func (c *rawConn) closed(t *testing.T, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	c.SetReadDeadline(start.Add(within))
	// A reset counts as closed: the server closes with our unread bytes
	// in its buffer.
	_, err := io.Copy(io.Discard, c.r)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %s", within)
	}
	return time.Since(start)
}

func basic(user, pw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
}

// staged lists what is left in the data directory's _staging.
func staged(t *testing.T, env *apptest.Env) []string {
	t.Helper()
	return testenv.Staged(t, env.Dir)
}

// A client that sends half a header and then nothing, or trickles it a
// byte at a time, is dropped after the header timeout.
func TestHeaderTimeout(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(c *server.Config) { c.HeaderTimeout = time.Second })
	t.Run("silence", func(t *testing.T) {
		c := s.dial(t)
		c.send(t, "GET / HTTP/1.1\r\nHost: builds\r\nUser-Agent: sl")
		if d := c.closed(t, 5*time.Second); d < 500*time.Millisecond {
			t.Errorf("closed after %s, before the header timeout", d)
		}
	})
	t.Run("trickle", func(t *testing.T) {
		c := s.dial(t)
		c.send(t, "GET / HTTP/1.1\r\nHost: builds\r\n")
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 25 { // 5 s in all
				time.Sleep(200 * time.Millisecond)
				if _, err := io.WriteString(c, "X"); err != nil {
					return
				}
			}
		}()
		c.closed(t, 4*time.Second)
		<-done
	})
}

// A keep-alive connection waiting for its next request is closed after the
// idle timeout.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(c *server.Config) { c.IdleTimeout = time.Second })
	c := s.dial(t)
	c.send(t, "GET /healthz HTTP/1.1\r\nHost: builds\r\n\r\n")
	if r := c.response(t, 5*time.Second); r.StatusCode != http.StatusOK || r.Close {
		t.Fatalf("GET /healthz: status %d, close %v; want 200 kept alive", r.StatusCode, r.Close)
	}
	c.closed(t, 5*time.Second)
}

// An upload that sends nothing for the body idle timeout is dropped and its
// staging directory removed; one may take as long as it likes while data
// flows, longer than the header and idle timeouts together.
func TestUploadIdleTimeout(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(c *server.Config) {
		c.HeaderTimeout = time.Second
		c.IdleTimeout = time.Second
		c.BodyIdleTimeout = time.Second
	})
	s.AddUser(t, "up", "uploadpw", false)
	body := apptest.Vector(t, "large_artifact.full")
	head := fmt.Sprintf("POST /upload HTTP/1.1\r\nHost: builds\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n",
		basic("up", "uploadpw"), len(body))

	t.Run("stalled upload dropped", func(t *testing.T) {
		c := s.dial(t)
		c.send(t, head)
		c.send(t, string(body[:len(body)/2]))
		deadline := time.Now().Add(2 * time.Second)
		for len(staged(t, s.Env)) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if len(staged(t, s.Env)) == 0 {
			t.Fatal("the upload did not reach its staging directory")
		}
		c.closed(t, 10*time.Second)
		if left := staged(t, s.Env); len(left) != 0 {
			t.Errorf("staging left after a stalled upload: %v", left)
		}
	})

	t.Run("slow upload completes", func(t *testing.T) {
		c := s.dial(t)
		c.send(t, head)
		const parts = 8 // 8 × 400 ms: 3.2 s in all
		for i := range parts {
			time.Sleep(400 * time.Millisecond)
			c.send(t, string(body[i*len(body)/parts:(i+1)*len(body)/parts]))
		}
		if r := c.response(t, 10*time.Second); r.StatusCode != http.StatusCreated {
			b, _ := io.ReadAll(r.Body)
			t.Fatalf("slow upload: status %d (%s), want 201", r.StatusCode, b)
		}
	})
}

// A body declared larger than its route accepts is refused at once from
// the declared length, whether the client sends some of it or none, and
// the connection is closed: nothing waits for bytes a lying client never
// sends.
func TestDeclaredLengthTooLarge(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(c *server.Config) { c.MaxUploadSize = 1 << 20 })
	s.AddUser(t, "up", "uploadpw", false)
	for _, tc := range []struct{ name, head, body string }{
		{"login, 100 bytes sent", "POST /login HTTP/1.1\r\nHost: builds\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000000\r\n\r\n",
			strings.Repeat("a", 100)},
		{"login, nothing sent", "POST /login HTTP/1.1\r\nHost: builds\r\nContent-Length: 2000000\r\n\r\n", ""},
		{"upload over the upload limit", "POST /upload HTTP/1.1\r\nHost: builds\r\nAuthorization: " + basic("up", "uploadpw") +
			"\r\nContent-Length: 2000000\r\n\r\n", strings.Repeat("a", 100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.dial(t)
			start := time.Now()
			c.send(t, tc.head+tc.body)
			r := c.response(t, 5*time.Second)
			if d := time.Since(start); r.StatusCode != http.StatusRequestEntityTooLarge || d > 2*time.Second {
				t.Errorf("status %d after %s, want 413 at once", r.StatusCode, d)
			}
			if !r.Close {
				t.Error("connection kept open after a refused body")
			}
			c.closed(t, 5*time.Second)
		})
	}
}

// A chunked upload over --max-upload-size is a 413 and leaves nothing in
// _staging.
func TestChunkedUploadTooLarge(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(c *server.Config) { c.MaxUploadSize = 64 << 10 })
	s.AddUser(t, "up", "uploadpw", false)
	body := apptest.Vector(t, "large_artifact.full")
	c := s.dial(t)
	c.send(t, "POST /upload HTTP/1.1\r\nHost: builds\r\nAuthorization: "+basic("up", "uploadpw")+"\r\nTransfer-Encoding: chunked\r\n\r\n")
	// Sent in the background: the server answers before it has read it all.
	go func() {
		for rest := body; len(rest) > 0; {
			n := min(len(rest), 16<<10)
			if _, err := fmt.Fprintf(c, "%x\r\n%s\r\n", n, rest[:n]); err != nil {
				return
			}
			rest = rest[n:]
		}
		io.WriteString(c, "0\r\n\r\n")
	}()
	r := c.response(t, 10*time.Second)
	if b, _ := io.ReadAll(r.Body); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d (%s), want 413", r.StatusCode, b)
	}
	if left := staged(t, s.Env); len(left) != 0 {
		t.Errorf("staging left after a refused upload: %v", left)
	}
	if files := s.Files(t); len(files) != 0 {
		t.Errorf("files written: %v", files)
	}
}

// Two Content-Length headers, equal or not, are a 400: a proxy in front
// may believe the other one.
func TestDuplicateContentLength(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.AddUser(t, "up", "uploadpw", false)
	for _, tc := range []struct{ name, req string }{
		{"same values", "POST /login HTTP/1.1\r\nHost: builds\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\na=b&c"},
		{"different values", "POST /login HTTP/1.1\r\nHost: builds\r\nContent-Length: 5\r\ncontent-length: 50\r\n\r\na=b&c"},
		{"GET", "GET / HTTP/1.1\r\nHost: builds\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n"},
		{"upload", "POST /upload HTTP/1.1\r\nHost: builds\r\nAuthorization: " + basic("up", "uploadpw") +
			"\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.dial(t)
			c.send(t, tc.req)
			r := c.response(t, 5*time.Second)
			if b, _ := io.ReadAll(r.Body); r.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "Content-Length") {
				t.Errorf("status %d (%s), want 400 naming Content-Length", r.StatusCode, b)
			}
			c.closed(t, 5*time.Second)
		})
	}
}
