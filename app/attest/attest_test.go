package attest_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"

	"github.com/builder-web/builder-web/app/attest"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// The example of DSSE's protocol.md, computed by hand.
func TestPAE(t *testing.T) {
	got := string(attest.PAE("http://example.com/HelloWorld", []byte("hello world")))
	want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
	if got != want {
		t.Errorf("PAE = %q, want %q", got, want)
	}
}

// The first start creates one key, files mode 0600 in a 0700 directory;
// a second start loads the same key.
func TestOpenCreatesKey(t *testing.T) {
	dir := t.TempDir()
	k, err := attest.Open(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{attest.PrivateKeyFile, attest.KeySetFile} {
		fi, err := os.Stat(filepath.Join(attest.Dir(dir), name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	if fi, err := os.Stat(attest.Dir(dir)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("_keys: %v %v, want mode 0700", fi, err)
	}
	again, err := attest.Open(dir, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if again.Current() != k.Current() || len(again.Set().Keys) != 1 {
		t.Errorf("second open: %+v, want the one key %+v", again.Set(), k.Current())
	}
	c := k.Current()
	raw, _ := base64.StdEncoding.DecodeString(c.PublicKey)
	if c.Algorithm != "ed25519" || len(raw) != 32 || c.KeyID != attest.KeyID(raw) || c.Created != "2026-12-01T10:00:00Z" {
		t.Errorf("key %+v", c)
	}
}

// Nodes that share a fresh data directory and start at once make one key:
// every one signs with it, and it is the one key of keys.json.
func TestOpenAtOnceMakesOneKey(t *testing.T) {
	for round := range 5 {
		dir := t.TempDir()
		const nodes = 8
		keys := make([]*attest.Keys, nodes)
		errs := make([]error, nodes)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range nodes {
			wg.Go(func() {
				<-start
				keys[i], errs[i] = attest.Open(dir, t0)
			})
		}
		close(start)
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		stored, err := attest.Load(dir)
		if err != nil {
			t.Fatalf("round %d: load after the starts: %v", round, err)
		}
		if n := len(stored.Set().Keys); n != 1 {
			t.Errorf("round %d: keys.json holds %d keys, want 1", round, n)
		}
		for i, k := range keys {
			if k.Current() != stored.Current() {
				t.Fatalf("round %d: node %d signs with %s, the stored key is %s", round, i, k.Current().KeyID, stored.Current().KeyID)
			}
		}
	}
}

// After a rotation, new envelopes use the new key and old ones still verify.
func TestRotateKeepsOldKeys(t *testing.T) {
	dir := t.TempDir()
	k, err := attest.Open(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	old := k.Current()
	oldEnv, err := k.SignJSON(map[string]string{"a": "b"})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := attest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := loaded.Rotate(t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p.KeyID == old.KeyID {
		t.Fatal("rotation kept the key")
	}
	after, err := attest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	set := after.Set()
	if after.Current().KeyID != p.KeyID || len(set.Keys) != 2 || set.Keys[0] != old {
		t.Fatalf("after rotation: current %s, set %+v", after.Current().KeyID, set)
	}
	if _, id, err := attest.Verify(oldEnv, set); err != nil || id != old.KeyID {
		t.Errorf("old envelope: key %s, %v; want %s", id, err, old.KeyID)
	}
	newEnv, _ := after.SignJSON(map[string]string{"a": "b"})
	if _, id, err := attest.Verify(newEnv, set); err != nil || id != p.KeyID {
		t.Errorf("new envelope: key %s, %v; want %s", id, err, p.KeyID)
	}
	// Without the new key in the set, the new envelope does not verify.
	if _, _, err := attest.Verify(newEnv, attest.KeySet{Keys: []attest.PublicKey{old}}); !errors.Is(err, attest.ErrBadSignature) {
		t.Errorf("verify with the old key only: %v, want ErrBadSignature", err)
	}
}

// The envelope verifies with go-securesystemslib's DSSE verifier, and a
// changed byte of the payload does not.
func TestStockVerifier(t *testing.T) {
	k, err := attest.Open(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	data, err := k.SignJSON(map[string]string{"_type": "https://in-toto.io/Statement/v1"})
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := base64.StdEncoding.DecodeString(k.Current().PublicKey)
	sv, err := signerverifier.NewED25519SignerVerifierFromSSLibKey(&signerverifier.SSLibKey{
		KeyType: "ed25519", Scheme: "ed25519", KeyID: k.Current().KeyID,
		KeyVal: signerverifier.KeyVal{Public: hex.EncodeToString(ed25519.PublicKey(pub))}})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := dsse.NewEnvelopeVerifier(sv)
	if err != nil {
		t.Fatal(err)
	}
	var env dsse.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	if env.PayloadType != "application/vnd.in-toto+json" {
		t.Errorf("payloadType %q", env.PayloadType)
	}
	if acc, err := ev.Verify(context.Background(), &env); err != nil || len(acc) != 1 || acc[0].KeyID != k.Current().KeyID {
		t.Fatalf("stock verifier: %+v, %v", acc, err)
	}
	body, _ := base64.StdEncoding.DecodeString(env.Payload)
	body[len(body)/2] ^= 1
	env.Payload = base64.StdEncoding.EncodeToString(body)
	if _, err := ev.Verify(context.Background(), &env); err == nil {
		t.Error("stock verifier accepted a changed payload")
	}
	changed, _ := json.Marshal(env)
	if _, _, err := attest.Verify(changed, k.Set()); !errors.Is(err, attest.ErrBadSignature) {
		t.Errorf("Verify of a changed payload: %v, want ErrBadSignature", err)
	}
}

// Changing any one byte of the statement, of the signature or of the
// envelope's base64 text makes verification fail.
func TestEveryChangedByteFails(t *testing.T) {
	k, err := attest.Open(t.TempDir(), t0)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"bin/x","digest":{"sha256":"00"}}]}`)
	env := k.Sign(attest.PayloadType, body)
	encode := func(e attest.Envelope) []byte {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if _, _, err := attest.Verify(encode(env), k.Set()); err != nil {
		t.Fatalf("unchanged: %v", err)
	}
	sig, _ := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	for i := range len(body) + len(sig) {
		changed := env
		b, s := append([]byte(nil), body...), append([]byte(nil), sig...)
		if i < len(b) {
			b[i] ^= 1
		} else {
			s[i-len(b)] ^= 1
		}
		changed.Payload = base64.StdEncoding.EncodeToString(b)
		changed.Signatures = []attest.Signature{{KeyID: env.Signatures[0].KeyID, Sig: base64.StdEncoding.EncodeToString(s)}}
		if _, _, err := attest.Verify(encode(changed), k.Set()); err == nil {
			t.Errorf("byte %d changed: verified", i)
		}
	}
	for _, text := range []string{env.Payload, env.Signatures[0].Sig} {
		for i := range len(text) {
			changed := env
			raw := []byte(text)
			raw[i] ^= 1
			if text == env.Payload {
				changed.Payload = string(raw)
			} else {
				changed.Signatures = []attest.Signature{{KeyID: env.Signatures[0].KeyID, Sig: string(raw)}}
			}
			if _, _, err := attest.Verify(encode(changed), k.Set()); err == nil {
				t.Errorf("base64 character %d of %.10s… changed: verified", i, text)
			}
		}
	}
}
