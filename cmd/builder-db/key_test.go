package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/attest"
	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

const uuidHello = "3f7c1a52-8e4b-4d2a-9b61-0c5e7d2f4a18" // success_hvt

// serveAttestation starts builder-web over dir (which makes the key) and
// saves a build's attestation in a file, as a user downloads it.
func serveAttestation(t *testing.T, dir, path string) (file string, keysJSON []byte) {
	t.Helper()
	// dir's own SQLite database, which the commands under test read, also
	// when the test's servers run on PostgreSQL.
	env := apptest.New(t, func(c *server.Config) { c.DataDir, c.Database = dir, "" })
	defer env.App.Close()
	r := env.Get(t, "/job/hello-hvt/build/"+uuidHello+"/"+path)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%s", path, r.Status, r.Body)
	}
	file = filepath.Join(t.TempDir(), path+".intoto.jsonl")
	if err := os.WriteFile(file, r.Body, 0o644); err != nil {
		t.Fatal(err)
	}
	return file, env.Get(t, "/.well-known/builder-web/keys.json").Body
}

func TestKeyAndVerifyAttestation(t *testing.T) {
	dir := helloDir(t)
	wantFail(t, "no signing key", "", "key", "show", "-d", dir)
	wantFail(t, "no signing key", "", "verify-attestation", "-d", dir, "/dev/null")
	wantFail(t, `unknown action "frob"`, "", "key", "frob", "-d", dir)

	file, served := serveAttestation(t, dir, "attestation")
	// The key files are the data directory's own, not untracked files.
	if r := mustRun(t, "", "verify-data-dir", "-d", dir); strings.Contains(r.stdout, "_keys") {
		t.Errorf("verify-data-dir reports the keys:\n%s", r.stdout)
	}
	show := mustRun(t, "", "key", "show", "-d", dir)
	var shown, fromServer attest.KeySet
	if json.Unmarshal([]byte(show.stdout), &shown) != nil || json.Unmarshal(served, &fromServer) != nil ||
		len(shown.Keys) != 1 || shown.Keys[0] != fromServer.Keys[0] {
		t.Fatalf("key show:\n%s\nserved:\n%s", show.stdout, served)
	}

	out := mustRun(t, "", "verify-attestation", "-d", dir, file).stdout
	for _, want := range []string{
		"verified:  signed by key " + shown.Keys[0].KeyID,
		"statement: https://slsa.dev/provenance/v1",
		"subject:   bin/hello.hvt sha256:",
		"job:       hello-hvt",
		"platform:  ",
		"uploader:  ",
		"input id:  ",
		"build:     " + uuidHello,
		"input:     script sha256:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify-attestation output lacks %q:\n%s", want, out)
		}
	}
	// The same with the server's keys.json and from standard input.
	keys := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(keys, served, 0o644); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	if r := mustRun(t, string(data), "verify-attestation", "--key", keys, "-"); r.stdout != out {
		t.Errorf("with --key and stdin:\n%s\nwant\n%s", r.stdout, out)
	}

	// One changed byte of the statement: refused, nothing of it printed.
	var env attest.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	payload, _ := base64.StdEncoding.DecodeString(env.Payload)
	i := strings.Index(string(payload), "hello-hvt")
	payload[i] = 'j' // "jello-hvt"
	env.Payload = base64.StdEncoding.EncodeToString(payload)
	bad, _ := json.Marshal(env)
	badFile := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badFile, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := wantFail(t, "no valid signature", "", "verify-attestation", "-d", dir, badFile); strings.Contains(r.stdout, "job") {
		t.Errorf("a bad envelope printed its statement:\n%s", r.stdout)
	}

	// After a rotation the old attestation still verifies, with the old key.
	rot := mustRun(t, "", "key", "rotate", "-d", dir)
	if !strings.Contains(rot.stdout, "2 public keys kept") {
		t.Errorf("key rotate: %q", rot.stdout)
	}
	if r := mustRun(t, "", "verify-attestation", "-d", dir, file); r.stdout != out {
		t.Errorf("after rotation:\n%s\nwant\n%s", r.stdout, out)
	}
	// The restarted server signs with the new key, listed last.
	file2, served2 := serveAttestation(t, dir, "attestation")
	var set attest.KeySet
	if err := json.Unmarshal(served2, &set); err != nil || len(set.Keys) != 2 || set.Keys[0] != shown.Keys[0] {
		t.Fatalf("keys.json after rotation: %s", served2)
	}
	if r := mustRun(t, "", "verify-attestation", "-d", dir, file2); !strings.Contains(r.stdout, "signed by key "+set.Keys[1].KeyID) {
		t.Errorf("new attestation:\n%s", r.stdout)
	}
	if fi, err := os.Stat(filepath.Join(dir, "_keys", "signing.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("signing.key: %v %v, want mode 0600", fi, err)
	}
}

// The reproducibility statement of success_hvt (compare_left reproduced it).
func TestVerifyReproAttestation(t *testing.T) {
	dir := helloDir(t)
	file, _ := serveAttestation(t, dir, "reproducibility-attestation")
	out := mustRun(t, "", "verify-attestation", "-d", dir, file).stdout
	for _, want := range []string{"attestation/reproducibility/v1", "job:       hello-hvt",
		"built by:  " + uuidHello, "built by:  a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
