package builder

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

// sidecar is the part of a vector's JSON ground truth the codec must match
// (../shared/testdata/README.md).
type sidecar struct {
	DecodeOK bool   `json:"decode_ok"`
	UUID     string `json:"uuid"`
	Job      struct {
		Name         *string `json:"name"`
		Platform     *string `json:"platform"`
		ScriptSize   int     `json:"script_size"`
		ScriptSHA256 string  `json:"script_sha256"`
	} `json:"job"`
	Start struct {
		UnixMS int64 `json:"unix_ms"`
	} `json:"start"`
	Finish struct {
		UnixMS int64 `json:"unix_ms"`
	} `json:"finish"`
	Result struct {
		Kind       string `json:"kind"`
		Code       int64  `json:"code"`
		MessageHex string `json:"message_hex"`
	} `json:"result"`
	ConsoleLineCount int `json:"console_line_count"`
	Console          []struct {
		DeltaNS int64   `json:"delta_ns"`
		Len     int     `json:"len"`
		Text    *string `json:"text"`
		Hex     string  `json:"hex"`
		SHA256  string  `json:"sha256"`
	} `json:"console"`
	Files []struct {
		Path   string `json:"path"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
	ReencodeIdentical bool `json:"reencode_identical"`
	Derived           struct {
		ConsoleTxt *struct {
			Size   int    `json:"size"`
			SHA256 string `json:"sha256"`
		} `json:"console_txt"`
	} `json:"builder_web_derived"`
}

type vector struct {
	name string
	data []byte
	want sidecar
}

// loadVectors reads every NAME.full with its NAME.json from the shared
// test data, sorted by name.
func loadVectors(tb testing.TB) []vector {
	tb.Helper()
	dir := testenv.SharedTestdata(tb)
	names, err := filepath.Glob(filepath.Join(dir, "*.full"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no vectors in %s: %v", dir, err)
	}
	sort.Strings(names)
	var vs []vector
	for _, full := range names {
		data, err := os.ReadFile(full)
		if err != nil {
			tb.Fatal(err)
		}
		js, err := os.ReadFile(strings.TrimSuffix(full, ".full") + ".json")
		if err != nil {
			tb.Fatal(err)
		}
		v := vector{name: strings.TrimSuffix(filepath.Base(full), ".full"), data: data}
		if err := json.Unmarshal(js, &v.want); err != nil {
			tb.Fatalf("%s: %v", full, err)
		}
		vs = append(vs, v)
	}
	return vs
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkHeader compares a decoded header with the sidecar.
func checkHeader(t *testing.T, h *Header, want *sidecar) {
	t.Helper()
	if got := UUIDString(h.UUID); got != want.UUID {
		t.Errorf("uuid = %s, want %s", got, want.UUID)
	}
	if want.Job.Name != nil && h.Job.Name != *want.Job.Name {
		t.Errorf("job name = %q, want %q", h.Job.Name, *want.Job.Name)
	}
	if want.Job.Platform != nil && h.Job.Platform != *want.Job.Platform {
		t.Errorf("platform = %q, want %q", h.Job.Platform, *want.Job.Platform)
	}
	if len(h.Job.Script) != want.Job.ScriptSize || sha([]byte(h.Job.Script)) != want.Job.ScriptSHA256 {
		t.Errorf("script: %d bytes sha256 %s, want %d bytes %s",
			len(h.Job.Script), sha([]byte(h.Job.Script)), want.Job.ScriptSize, want.Job.ScriptSHA256)
	}
	if got := h.Start.UnixMilli(); got != want.Start.UnixMS || h.Start.Nanosecond()%1e6 != 0 {
		t.Errorf("start = %v (%d ms), want %d ms", h.Start, got, want.Start.UnixMS)
	}
	if got := h.Finish.UnixMilli(); got != want.Finish.UnixMS || h.Finish.Nanosecond()%1e6 != 0 {
		t.Errorf("finish = %v (%d ms), want %d ms", h.Finish, got, want.Finish.UnixMS)
	}
	if h.Start.Location() != nil && h.Start.Location().String() != "UTC" {
		t.Errorf("start location = %v, want UTC", h.Start.Location())
	}
	if got := h.Result.Kind.String(); got != want.Result.Kind {
		t.Errorf("result kind = %s, want %s", got, want.Result.Kind)
	}
	if h.Result.Kind == Msg {
		if got := hex.EncodeToString([]byte(h.Result.Msg)); got != want.Result.MessageHex {
			t.Errorf("result message = %x, want %s", h.Result.Msg, want.Result.MessageHex)
		}
	} else if h.Result.Code != want.Result.Code {
		t.Errorf("result code = %d, want %d", h.Result.Code, want.Result.Code)
	}
	if len(h.Console) != want.ConsoleLineCount || len(h.Console) != len(want.Console) {
		t.Fatalf("console: %d lines, want %d", len(h.Console), want.ConsoleLineCount)
	}
	for i, w := range want.Console {
		g := h.Console[i]
		if g.Delta != w.DeltaNS {
			t.Errorf("console line %d delta = %d, want %d", i, g.Delta, w.DeltaNS)
		}
		if len(g.Data) != w.Len {
			t.Errorf("console line %d len = %d, want %d", i, len(g.Data), w.Len)
		}
		switch {
		case w.SHA256 != "":
			if got := sha([]byte(g.Data)); got != w.SHA256 {
				t.Errorf("console line %d sha256 = %s, want %s", i, got, w.SHA256)
			}
		case w.Text != nil:
			if g.Data != *w.Text {
				t.Errorf("console line %d = %q, want %q", i, g.Data, *w.Text)
			}
		default:
			if got := hex.EncodeToString([]byte(g.Data)); got != w.Hex {
				t.Errorf("console line %d hex = %s, want %s", i, got, w.Hex)
			}
		}
	}
}

// gotFile is a decoded output file reduced to what the sidecar holds.
type gotFile struct {
	path   string
	size   int64
	sha256 string
}

func checkFiles(t *testing.T, got []gotFile, want *sidecar) {
	t.Helper()
	if len(got) != len(want.Files) {
		t.Fatalf("%d files, want %d", len(got), len(want.Files))
	}
	for i, w := range want.Files {
		if g := got[i]; g.path != w.Path || g.size != w.Size || g.sha256 != w.SHA256 {
			t.Errorf("file %d = %q %d %s, want %q %d %s", i, g.path, g.size, g.sha256, w.Path, w.Size, w.SHA256)
		}
	}
}

// streamDecode runs the streaming decoder, hashing each file as it arrives
// the way the upload path does.
func streamDecode(r io.Reader) (*Header, []gotFile, error) {
	d := NewDecoder(r)
	h, err := d.Header()
	if err != nil {
		return nil, nil, err
	}
	var files []gotFile
	for {
		path, size, data, err := d.Next()
		if err == io.EOF {
			return h, files, nil
		}
		if err != nil {
			return nil, nil, err
		}
		hash := sha256.New()
		n, err := io.Copy(hash, data)
		if err != nil {
			return nil, nil, err
		}
		if n != size {
			return nil, nil, errors.New("file reader length differs from size")
		}
		files = append(files, gotFile{path, size, hex.EncodeToString(hash.Sum(nil))})
	}
}

// onlyReader hides io.ByteReader so that the decoder takes its bufio path.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

var readers = []struct {
	name string
	wrap func([]byte) io.Reader
}{
	{"bytes", func(b []byte) io.Reader { return bytes.NewReader(b) }},
	{"bufio", func(b []byte) io.Reader { return onlyReader{bytes.NewReader(b)} }},
	{"onebyte", func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
	{"dataerr", func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) }},
}

func TestVectorsDecode(t *testing.T) {
	for _, v := range loadVectors(t) {
		if !v.want.DecodeOK {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			e, err := Decode(v.data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkHeader(t, &e.Header, &v.want)
			var files []gotFile
			for _, f := range e.Files {
				files = append(files, gotFile{f.Path, int64(len(f.Data)), sha(f.Data)})
			}
			checkFiles(t, files, &v.want)

			for _, rd := range readers {
				t.Run(rd.name, func(t *testing.T) {
					h, files, err := streamDecode(rd.wrap(v.data))
					if err != nil {
						t.Fatalf("streaming decode: %v", err)
					}
					checkHeader(t, h, &v.want)
					checkFiles(t, files, &v.want)
				})
			}
		})
	}
}

func TestVectorsReencode(t *testing.T) {
	for _, v := range loadVectors(t) {
		if !v.want.DecodeOK || !v.want.ReencodeIdentical {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			e, err := Decode(v.data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			got, err := Encode(e)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.Equal(got, v.data) {
				t.Errorf("Encode: %d bytes differing from the %d input bytes at offset %d",
					len(got), len(v.data), firstDiff(got, v.data))
			}
			var srcs []FileSource
			for _, f := range e.Files {
				srcs = append(srcs, FileSource{Path: f.Path, Size: int64(len(f.Data)), Open: opener(f.Data)})
			}
			var buf bytes.Buffer
			if err := EncodeTo(&buf, &e.Header, srcs); err != nil {
				t.Fatalf("EncodeTo: %v", err)
			}
			if !bytes.Equal(buf.Bytes(), v.data) {
				t.Errorf("EncodeTo: output differs from input at offset %d", firstDiff(buf.Bytes(), v.data))
			}
		})
	}
}

func opener(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Vectors that decode but do not re-encode identically must still
// round-trip through our encoder to the same value.
func TestVectorsEncodeDecode(t *testing.T) {
	for _, v := range loadVectors(t) {
		if !v.want.DecodeOK {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			e, err := Decode(v.data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			b, err := Encode(e)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			e2, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode(Encode): %v", err)
			}
			if !execEqual(e, e2) {
				t.Errorf("Decode(Encode(x)) = %+v, want %+v", e2.Header, e.Header)
			}
		})
	}
}

func TestVectorsMalformed(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		if v.want.DecodeOK {
			continue
		}
		n++
		t.Run(v.name, func(t *testing.T) {
			if _, err := Decode(v.data); !errors.Is(err, ErrMalformed) {
				t.Errorf("Decode error = %v, want ErrMalformed", err)
			}
			for _, rd := range readers {
				if _, _, err := streamDecode(rd.wrap(v.data)); !errors.Is(err, ErrMalformed) {
					t.Errorf("%s: streaming error = %v, want ErrMalformed", rd.name, err)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no malformed vectors found")
	}
}

func TestVectorsConsoleTxt(t *testing.T) {
	for _, v := range loadVectors(t) {
		if !v.want.DecodeOK {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			want := v.want.Derived.ConsoleTxt
			if want == nil {
				t.Fatal("sidecar has no console_txt")
			}
			e, err := Decode(v.data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			var buf bytes.Buffer
			if err := WriteConsole(&buf, e.Console); err != nil {
				t.Fatal(err)
			}
			if buf.Len() != want.Size || sha(buf.Bytes()) != want.SHA256 {
				t.Errorf("console.txt: %d bytes sha256 %s, want %d bytes %s\n%.300q",
					buf.Len(), sha(buf.Bytes()), want.Size, want.SHA256, buf.Bytes())
			}
		})
	}
}
