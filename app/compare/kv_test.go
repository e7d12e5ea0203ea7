package compare

import (
	"reflect"
	"testing"
)

func TestSplitPackage(t *testing.T) {
	tests := []struct {
		line, name, version string
	}{
		// Debian (dpkg-query): the first "=" separates, versions may hold "-".
		{"libc6=2.36-9+deb12u14", "libc6", "2.36-9+deb12u14"},
		{"libgmp-dev=2:6.2.1+dfsg1-1.1", "libgmp-dev", "2:6.2.1+dfsg1-1.1"},
		{"a=b=c", "a", "b=c"},
		// FreeBSD (pkg query %n-%v): the last "-" before a digit
		// (product §2.10; the reference cuts at the first "-").
		{"py39-setuptools-63.1", "py39-setuptools", "63.1"},
		{"pkg-1.19.2", "pkg", "1.19.2"},
		{"gmake-4.3_2", "gmake", "4.3_2"},
		{"gcc12-12.2.0_5", "gcc12", "12.2.0_5"},
		{"p5-Locale-gettext-1.07", "p5-Locale-gettext", "1.07"},
		{"ocaml-4.14.1,1", "ocaml", "4.14.1,1"},
		{"py311-pip-23.3.1", "py311-pip", "23.3.1"},
		{"x-1-2", "x-1", "2"},
		// Neither form: a name without version.
		{"libfoo-bar", "libfoo-bar", ""},
		{"foo-", "foo-", ""},
		{"plain", "plain", ""},
		{"", "", ""},
		{"-1", "", "1"},
	}
	for _, tt := range tests {
		name, version := SplitPackage(tt.line)
		if name != tt.name || version != tt.version {
			t.Errorf("SplitPackage(%q) = %q, %q; want %q, %q", tt.line, name, version, tt.name, tt.version)
		}
	}
}

func TestParseEnv(t *testing.T) {
	tests := []struct {
		name string
		data string
		want map[string]string
	}{
		{"empty file is one empty key", "", map[string]string{"": ""}},
		{"trailing newline gives the empty key", "A=1\n", map[string]string{"A": "1", "": ""}},
		{"cut at the first =", "A=x=y", map[string]string{"A": "x=y"}},
		{"line without = is a key", "NOEQ\nB=", map[string]string{"NOEQ": "", "B": ""}},
		{"empty key", "=v", map[string]string{"": "v"}},
		{"later duplicates win", "A=1\nA=2\nB=3", map[string]string{"A": "2", "B": "3"}},
		{"carriage returns are kept", "A=1\r\nB=2", map[string]string{"A": "1\r", "B": "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseEnv([]byte(tt.data)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseEnv(%q) = %q, want %q", tt.data, got, tt.want)
			}
		})
	}
}

func TestDiffKV(t *testing.T) {
	left := ParseEnv([]byte("a=1\nB=2\n_=3\nSAME=s\nGONE=g"))
	right := ParseEnv([]byte("_=4\nB=2\na=5\nSAME=s\nNEW=n\n"))
	got := DiffKV(left, right)
	want := KVDiff{
		// Byte order: "" < "B" < "N…" < "_" < "a". The right file ends in a
		// newline, the left does not: the empty key is added.
		Added:     []Entry{{"", ""}, {"NEW", "n"}},
		Removed:   []Entry{{"GONE", "g"}},
		Changed:   []Change{{"_", "3", "4"}, {"a", "1", "5"}},
		Unchanged: []Entry{{"B", "2"}, {"SAME", "s"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DiffKV:\n got  %+v\n want %+v", got, want)
	}
	if got.Empty() {
		t.Error("Empty() = true for a diff with changes")
	}
	if d := DiffKV(left, left); !d.Empty() || len(d.Unchanged) != len(left) {
		t.Errorf("DiffKV(x, x) = %+v, want everything unchanged", d)
	}
}

func TestParseSystemPackages(t *testing.T) {
	got := ParseSystemPackages([]byte("pkg-1.19.2\npy39-setuptools-63.1\nlibc6=2.36-9\nnoversion"))
	want := map[string]string{"pkg": "1.19.2", "py39-setuptools": "63.1", "libc6": "2.36-9", "noversion": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSystemPackages = %q, want %q", got, want)
	}
}
