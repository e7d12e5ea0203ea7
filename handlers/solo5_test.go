package handlers_test

import (
	"encoding/json"
	"html"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/internal/testkit/apptest"
	"github.com/builder-web/builder-web/internal/testkit/solo5test"
)

// unikernelRec is a successful build whose main binary bin/<job>.hvt is a
// solo5 unikernel with a block device "storage" and a net device "service".
func unikernelRec(job, uuid, platform string, start time.Time, bin []byte) rec {
	return rec{job: job, platform: platform, uuid: uuid, start: start,
		files: append(inputFiles(uuid), builder.File{Path: "bin/" + job + ".hvt", Data: bin})}
}

var (
	unikernelBin = solo5test.Unikernel(solo5test.HVT,
		solo5test.NetDevice("service"), solo5test.BlockDevice("storage"))
	wantManifest = map[string]any{"type": "solo5.manifest", "version": 1.0, "devices": []any{
		map[string]any{"name": "service", "type": "NET_BASIC"},
		map[string]any{"name": "storage", "type": "BLOCK_BASIC"},
	}}
	wantABI = map[string]any{"type": "solo5.abi", "target": "hvt", "version": 2.0}
)

func getJSON(t *testing.T, env *apptest.Env, url string) map[string]any {
	t.Helper()
	r := get(t, env, url, "Accept", "application/json")
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200\n%s", url, r.Status, r.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, r.Body)
	}
	return got
}

// The build page describes a unikernel's devices under its main binary and
// its JSON carries both notes (reference §6.5); other binaries get neither.
func TestBuildSolo5(t *testing.T) {
	env := newEnv(t)
	upload(t, env, unikernelRec("uni", testUUID(1), "debian-12", t0, unikernelBin).encode(t))
	// A main binary starting like an ELF file, but no unikernel.
	upload(t, env, unikernelRec("plain", testUUID(2), "debian-12", t0, []byte("\x7fELF binary plain")).encode(t))
	// A unikernel whose manifest is malformed: its ABI still shows.
	bad := solo5test.ManifestNote(solo5test.NetDevice("service"))
	bad.Desc[8] = 7 // entry count
	upload(t, env, unikernelRec("bad", testUUID(3), "debian-12", t0,
		solo5test.ELF(bad, solo5test.ABINote(solo5test.SPT, 1))).encode(t))

	artifacts := section(page(t, env, buildURL("uni", testUUID(1))), "Build artifacts")
	line := `with block devices "storage", and net devices "service"`
	assertContains(t, "unikernel artifacts", html.UnescapeString(text(artifacts)),
		"bin/uni.hvt", "SHA256:", line)
	assertContains(t, "unikernel artifacts", artifacts, `<mark class="main-binary">main binary</mark>`)

	got := getJSON(t, env, buildURL("uni", testUUID(1)))
	if !reflect.DeepEqual(got["solo5_manifest"], wantManifest) {
		t.Errorf("solo5_manifest = %v, want %v", got["solo5_manifest"], wantManifest)
	}
	if !reflect.DeepEqual(got["solo5_abi"], wantABI) {
		t.Errorf("solo5_abi = %v, want %v", got["solo5_abi"], wantABI)
	}

	for _, job := range []string{"plain", "bad"} {
		uuid := map[string]string{"plain": testUUID(2), "bad": testUUID(3)}[job]
		assertLacks(t, job+" artifacts", section(page(t, env, buildURL(job, uuid)), "Build artifacts"),
			"devices", "solo5")
	}
	if got := getJSON(t, env, buildURL("plain", testUUID(2))); got["solo5_manifest"] != nil || got["solo5_abi"] != nil {
		t.Errorf("plain JSON = %v, want no solo5 keys", got)
	}
	got = getJSON(t, env, buildURL("bad", testUUID(3)))
	if _, ok := got["solo5_manifest"]; ok {
		t.Errorf("bad JSON has solo5_manifest: %v", got)
	}
	if want := map[string]any{"type": "solo5.abi", "target": "spt", "version": 1.0}; !reflect.DeepEqual(got["solo5_abi"], want) {
		t.Errorf("bad JSON solo5_abi = %v, want %v", got["solo5_abi"], want)
	}

	// A vector's build (its binary is no unikernel) has neither.
	uploadVectors(t, env, "success_hvt")
	got = getJSON(t, env, buildURL("hello-hvt", uuidSuccess))
	if _, ok := got["solo5_manifest"]; ok {
		t.Errorf("vector JSON has solo5_manifest: %v", got)
	}
	if _, ok := got["solo5_abi"]; ok {
		t.Errorf("vector JSON has solo5_abi: %v", got)
	}
}

// The front page JSON gives each job's newest successful build (any
// platform) as "latest" when it is a readable unikernel (reference §6.1).
func TestFrontSolo5Latest(t *testing.T) {
	env := newEnv(t)
	now := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	plain := []byte("\x7fELF not a unikernel")
	for _, r := range []rec{
		// uni: the newest build, on another platform, is the unikernel.
		unikernelRec("uni", testUUID(1), "debian-12", now, plain),
		unikernelRec("uni", testUUID(2), "freebsd-14", now.Add(time.Minute), unikernelBin),
		// was-uni: the unikernel is older than a plain binary.
		unikernelRec("was-uni", testUUID(3), "debian-12", now, unikernelBin),
		unikernelRec("was-uni", testUUID(4), "ubuntu-24.04", now.Add(time.Minute), plain),
		// abi-only: no manifest, so no "latest".
		unikernelRec("abi-only", testUUID(5), "debian-12", now,
			solo5test.ELF(solo5test.ABINote(solo5test.HVT, 2))),
	} {
		upload(t, env, r.encode(t))
	}

	for _, url := range []string{"/", "/all-builds"} {
		got := getJSON(t, env, url)
		jobs := map[string]map[string]any{}
		list, _ := got["jobs"].([]any)
		for _, j := range list {
			j := j.(map[string]any)
			jobs[j["name"].(string)] = j
		}
		if len(jobs) != 3 {
			t.Fatalf("%s: jobs = %v, want uni, was-uni, abi-only", url, got["jobs"])
		}
		want := map[string]any{"uuid": testUUID(2), "solo5_manifest": wantManifest, "solo5_abi": wantABI}
		if !reflect.DeepEqual(jobs["uni"]["latest"], want) {
			t.Errorf("%s: uni latest = %v, want %v", url, jobs["uni"]["latest"], want)
		}
		for _, name := range []string{"was-uni", "abi-only"} {
			if l, ok := jobs[name]["latest"]; ok {
				t.Errorf("%s: %s has latest %v, want none", url, name, l)
			}
		}
		// jobs_by_section holds the same objects.
		bySection, _ := got["jobs_by_section"].(map[string]any)
		for _, js := range bySection {
			for _, j := range js.([]any) {
				j := j.(map[string]any)
				if !reflect.DeepEqual(j, jobs[j["name"].(string)]) {
					t.Errorf("%s: jobs_by_section %v differs from jobs %v", url, j, jobs[j["name"].(string)])
				}
			}
		}
	}

	// The HTML front page does not change.
	assertLacks(t, "front page", page(t, env, "/"), "solo5_manifest", "with block devices")
}
