package handlers_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"

	"github.com/builder-web/builder-web/app/attest"
	"github.com/builder-web/builder-web/app/server"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
)

// keySet fetches the server's public keys as a visitor does.
func keySet(t *testing.T, env *apptest.Env) attest.KeySet {
	t.Helper()
	r := get(t, env, "/.well-known/builder-web/keys.json")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("keys.json: status %d, type %q", r.Status, r.Header.Get("Content-Type"))
	}
	s, err := attest.ParseKeySet(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stockVerify checks an envelope with go-securesystemslib's DSSE verifier
// (a stock tool, not ours) and returns its payload.
func stockVerify(t *testing.T, keys attest.KeySet, body []byte) []byte {
	t.Helper()
	var verifiers []dsse.Verifier
	for _, k := range keys.Keys {
		pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			t.Fatalf("key %+v: %v", k, err)
		}
		sv, err := signerverifier.NewED25519SignerVerifierFromSSLibKey(&signerverifier.SSLibKey{
			KeyType: "ed25519", Scheme: "ed25519", KeyID: k.KeyID,
			KeyVal: signerverifier.KeyVal{Public: hex.EncodeToString(pub)}})
		if err != nil {
			t.Fatal(err)
		}
		verifiers = append(verifiers, sv)
	}
	ev, err := dsse.NewEnvelopeVerifier(verifiers...)
	if err != nil {
		t.Fatal(err)
	}
	var env dsse.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("envelope: %v\n%s", err, body)
	}
	if env.PayloadType != "application/vnd.in-toto+json" {
		t.Errorf("payloadType %q", env.PayloadType)
	}
	if _, err := ev.Verify(context.Background(), &env); err != nil {
		t.Fatalf("stock DSSE verifier: %v", err)
	}
	payload, err := env.DecodeB64Payload()
	if err != nil {
		t.Fatal(err)
	}
	return payload
}

// The provenance of a build: a signed in-toto statement that stock DSSE
// tools verify, stating the vector's artifacts, job, platform, uploader,
// times, input id and input hashes; the same bytes after a restart.
func TestAttestation(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	sc := sidecarOf(t, "success_hvt")
	url := buildURL("hello-hvt", uuidSuccess) + "/attestation"
	r := get(t, env, url)
	if r.Status != http.StatusOK {
		t.Fatalf("GET attestation: status %d\n%s", r.Status, r.Body)
	}
	for h, want := range map[string]string{"Content-Type": "application/json",
		"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if bytes.Count(r.Body, []byte("\n")) != 1 || !bytes.HasSuffix(r.Body, []byte("\n")) {
		t.Errorf("envelope is not one line:\n%s", r.Body)
	}
	keys := keySet(t, env)
	payload := stockVerify(t, keys, r.Body)

	var st attest.Statement[attest.Provenance]
	if err := json.Unmarshal(payload, &st); err != nil {
		t.Fatalf("statement: %v\n%s", err, payload)
	}
	if st.Type != "https://in-toto.io/Statement/v1" || st.PredicateType != "https://slsa.dev/provenance/v1" {
		t.Errorf("_type %q, predicateType %q", st.Type, st.PredicateType)
	}
	var want []attest.Resource
	digests := map[string]string{}
	for _, a := range sc.Derived.Stored {
		want = append(want, attest.Resource{Name: a.Path, Digest: attest.Digest{SHA256: a.SHA256}})
		digests[a.Path] = a.SHA256
	}
	slices.SortFunc(want, func(a, b attest.Resource) int { return bytes.Compare([]byte(a.Name), []byte(b.Name)) })
	if !slices.Equal(st.Subject, want) {
		t.Errorf("subject = %+v, want %+v", st.Subject, want)
	}
	p := st.Predicate
	bd, rd := p.BuildDefinition, p.RunDetails
	if bd.ExternalParameters.Job != "hello-hvt" || bd.ExternalParameters.Platform != sc.Job.Platform ||
		bd.InternalParameters.Uploader != testUser || bd.InternalParameters.InputID != *sc.Derived.InputID {
		t.Errorf("parameters %+v %+v", bd.ExternalParameters, bd.InternalParameters)
	}
	wantDeps := []attest.Resource{
		{Name: "opam-switch", Digest: attest.Digest{SHA256: digests["opam-switch"]}},
		{Name: "build-environment", Digest: attest.Digest{SHA256: digests["build-environment"]}},
		{Name: "system-packages", Digest: attest.Digest{SHA256: digests["system-packages"]}},
		{Name: "script", Digest: attest.Digest{SHA256: sc.Job.ScriptSHA256}},
	}
	if !slices.Equal(bd.ResolvedDependencies, wantDeps) {
		t.Errorf("resolvedDependencies = %+v, want %+v", bd.ResolvedDependencies, wantDeps)
	}
	start := time.UnixMilli(sc.Start.UnixMS).UTC().Format(time.RFC3339Nano)
	finish := time.UnixMilli(sc.Finish.UnixMS).UTC().Format(time.RFC3339Nano)
	if rd.Metadata.InvocationID != uuidSuccess || rd.Metadata.StartedOn != start || rd.Metadata.FinishedOn != finish ||
		rd.Builder.ID != "https://github.com/builder-web/builder-web/attestation/uploader/"+testUser {
		t.Errorf("runDetails %+v, want %s %s %s", rd, uuidSuccess, start, finish)
	}

	// Deterministic: a restarted server (no page cache left) gives the same bytes.
	env.App.Close()
	again := apptest.New(t, func(c *server.Config) { c.DataDir, c.Database = env.Dir, env.Database })
	if r2 := get(t, again, url); r2.Status != http.StatusOK || !bytes.Equal(r2.Body, r.Body) {
		t.Errorf("after a restart: status %d, body\n%s\nwant\n%s", r2.Status, r2.Body, r.Body)
	}
}

// What is not attested is a clear 404 or 400, never a 500.
func TestAttestationErrors(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt", "failed_exit1")
	failed := sidecarOf(t, "failed_exit1")
	var scenarios []scenario
	for _, c := range []struct {
		url    string
		status int
		text   string
	}{
		{buildURL(failed.Job.Name, failed.UUID) + "/attestation", 404, "the build failed"},
		{buildURL("x", testUUID(9)) + "/attestation", 404, "Build not found"},
		{buildURL("x", "nope") + "/attestation", 400, "Bad uuid"},
		{buildURL("hello-hvt", uuidSuccess) + "/reproducibility-attestation", 404,
			"no other build of the same input produced the same main binary"},
		{buildURL(failed.Job.Name, failed.UUID) + "/reproducibility-attestation", 404, "no other build"},
	} {
		scenarios = append(scenarios, scenario{name: c.url, url: c.url, status: c.status, has: []string{c.text},
			header: map[string]string{"Content-Type": "application/json"}})
	}
	runScenarios(t, env, scenarios)
}

// Once another build of the same input made the same binary, the build
// has a signed reproducibility statement naming both builds, linked from
// its page.
func TestReproAttestation(t *testing.T) {
	env := newEnv(t)
	uploadVectors(t, env, "success_hvt")
	assertContains(t, "/api", page(t, env, "/api"), "/.well-known/builder-web/keys.json",
		"GET /job/:job/build/:uuid/attestation", "…/reproducibility-attestation", "builder-db verify-attestation")
	html := page(t, env, buildURL("hello-hvt", uuidSuccess))
	assertContains(t, "build page", html, `href="/job/hello-hvt/build/`+uuidSuccess+`/attestation"`, "Signed attestation")
	assertLacks(t, "build page before a reproduction", html, "reproducibility-attestation")

	uploadVectors(t, env, "compare_left")
	html = page(t, env, buildURL("hello-hvt", uuidSuccess))
	url := buildURL("hello-hvt", uuidSuccess) + "/reproducibility-attestation"
	assertContains(t, "build page after a reproduction", html, `href="`+url+`"`, "Signed reproducibility attestation")
	r := get(t, env, url)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s: status %d, type %q\n%s", url, r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	var st attest.Statement[attest.Reproducibility]
	if err := json.Unmarshal(stockVerify(t, keySet(t, env), r.Body), &st); err != nil {
		t.Fatal(err)
	}
	sc, left := sidecarOf(t, "success_hvt"), sidecarOf(t, "compare_left")
	main := *sc.Derived.MainBinary
	var mainSHA string
	for _, a := range sc.Derived.Stored {
		if a.Path == main {
			mainSHA = a.SHA256
		}
	}
	if len(st.Subject) != 1 || st.Subject[0].Name != main || st.Subject[0].Digest.SHA256 != mainSHA {
		t.Errorf("subject %+v, want %s %s", st.Subject, main, mainSHA)
	}
	p := st.Predicate
	if st.PredicateType != attest.ReproducibilityType || p.Job != "hello-hvt" || p.InputID != *sc.Derived.InputID || len(p.Builds) != 2 {
		t.Fatalf("predicate %s %+v", st.PredicateType, p)
	}
	got := map[string]attest.ReproBuild{}
	for _, b := range p.Builds {
		got[b.UUID] = b
	}
	for _, s := range []vectorSidecar{sc, left} {
		b, ok := got[s.UUID]
		if !ok || b.Uploader != testUser || b.StartedOn != time.UnixMilli(s.Start.UnixMS).UTC().Format(time.RFC3339Nano) {
			t.Errorf("build %s in the statement: %+v (found %v)", s.UUID, b, ok)
		}
	}
}
