// Package compare answers "why do these two builds differ?": it reads the
// opam switch export, build environment and system packages that builder
// recorded with each build and compares them (reference §7). One Result
// feeds both the HTML page and the JSON.
package compare

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/builder-web/builder-web/app/httperr"
	"github.com/builder-web/builder-web/app/opam"
	"github.com/builder-web/builder-web/app/store"
	"github.com/builder-web/builder-web/db"
)

// The artifact paths a comparison reads from each build (reference §7.1).
const (
	OpamSwitch       = db.OpamSwitch
	BuildEnvironment = db.BuildEnvironment
	SystemPackages   = db.SystemPackages
)

// MaxInputSize bounds each file read for a comparison. Real switch exports
// with --full are a few hundred kilobytes; the bound keeps a hostile upload
// from making every comparison with it read gigabytes into memory.
const MaxInputSize = 16 << 20

// Inputs are the three files of one build.
type Inputs struct {
	OpamSwitch, BuildEnvironment, SystemPackages []byte
}

// Diff is what differs between two builds' inputs. Lists are ascending;
// the reference's descending orders (§15.20) are applied when rendering.
type Diff struct {
	Opam *opam.SwitchDiff
	// OpamUnchanged are the packages installed in the same version on both
	// sides whose opam files are effectively equal.
	OpamUnchanged []opam.Package
	Env           KVDiff // build-environment
	Packages      KVDiff // system-packages
	// OpamErr is set when a switch export does not parse: the opam
	// categories are then empty and the page says why instead of failing.
	OpamErr  string
	parseErr error
}

// Result is a comparison of two stored builds.
type Result struct {
	Left, Right *db.BuildInfo
	*Diff
}

// MissingInputError says that a build lacks one of the files a comparison
// needs: failed builds and bare binary uploads cannot be compared.
type MissingInputError struct {
	Build *db.BuildInfo
	Path  string
}

func (e *MissingInputError) Error() string {
	return fmt.Sprintf("build %s of job %s has no %s artifact", e.Build.Build.UUID, e.Build.JobName, e.Path)
}

// Message is the text shown to the user.
func (e *MissingInputError) Message() string {
	return fmt.Sprintf("Build %s of job %s has no %s, so it cannot be compared: only builds that recorded their opam switch, build environment and system packages can.",
		e.Build.Build.UUID, e.Build.JobName, e.Path)
}

// Source is where builds and their files are read from.
type Source struct {
	DB    *db.DB
	Store *store.Store
}

// Compare loads the builds with UUIDs left and right and compares their
// inputs. An unknown build or a build without one of the three files is a
// 404 *httperr.Error (the latter wrapping a *MissingInputError). The Diff
// it returns is shared (cached) and must not be modified.
func (s Source) Compare(ctx context.Context, left, right string) (*Result, error) {
	lb, rb, err := s.builds(ctx, left, right)
	if err != nil {
		return nil, err
	}
	var (
		key  cacheKey
		arts [6]*db.BuildArtifact
	)
	for i, b := range []*db.BuildInfo{lb, lb, lb, rb, rb, rb} {
		if arts[i], err = s.artifact(ctx, b, inputPaths[i%3]); err != nil {
			return nil, err
		}
		copy(key[i][:], arts[i].SHA256)
	}
	if d, ok := diffs.get(key); ok {
		return &Result{Left: lb, Right: rb, Diff: d}, nil
	}
	var data [6][]byte
	for i, b := range []*db.BuildInfo{lb, lb, lb, rb, rb, rb} {
		if data[i], err = s.read(b, arts[i]); err != nil {
			return nil, err
		}
	}
	d := DiffInputs(Inputs{data[0], data[1], data[2]}, Inputs{data[3], data[4], data[5]})
	if d.OpamErr != "" {
		d.OpamErr = s.parseMessage(d.parseErr, lb, rb)
	}
	diffs.put(key, d)
	return &Result{Left: lb, Right: rb, Diff: d}, nil
}

// inputPaths are the compared files in the order of Inputs' fields.
var inputPaths = [3]string{OpamSwitch, BuildEnvironment, SystemPackages}

// OpamFileResult is one package's opam-file difference between two builds.
type OpamFileResult struct {
	Left, Right *db.BuildInfo
	opam.FileDiff
}

// OpamFile returns the difference of one package's opam files between two
// builds: the fragment the compare page opens inline, usually right after
// the page computed (and cached) the whole comparison. A package without
// such a difference is a 404.
func (s Source) OpamFile(ctx context.Context, left, right, name string) (*OpamFileResult, error) {
	res, err := s.Compare(ctx, left, right)
	if err != nil {
		return nil, err
	}
	for _, od := range res.Opam.OpamDiff {
		if od.Package.Name == name {
			return &OpamFileResult{Left: res.Left, Right: res.Right, FileDiff: od}, nil
		}
	}
	return nil, httperr.NotFound("The opam files of " + name + " do not differ between these builds")
}

func (s Source) builds(ctx context.Context, left, right string) (*db.BuildInfo, *db.BuildInfo, error) {
	lb, err := s.build(ctx, left)
	if err != nil {
		return nil, nil, err
	}
	rb, err := s.build(ctx, right)
	if err != nil {
		return nil, nil, err
	}
	return lb, rb, nil
}

func (s Source) build(ctx context.Context, uuid string) (*db.BuildInfo, error) {
	b, err := s.DB.BuildByUUID(ctx, uuid)
	if errors.Is(err, db.ErrNotFound) {
		return nil, httperr.NotFound("Build not found")
	}
	if err != nil {
		return nil, fmt.Errorf("compare: load build %s: %w", uuid, err)
	}
	return b, nil
}

// artifact finds one of the compared files of b.
func (s Source) artifact(ctx context.Context, b *db.BuildInfo, path string) (*db.BuildArtifact, error) {
	a, err := s.DB.ArtifactByPath(ctx, b.Build.UUID, path)
	if errors.Is(err, db.ErrNotFound) {
		missing := &MissingInputError{Build: b, Path: path}
		return nil, httperr.New(http.StatusNotFound, missing.Message(), missing)
	}
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	if len(a.SHA256) != 32 {
		return nil, fmt.Errorf("compare: %s of build %s has a %d-byte hash", path, b.Build.UUID, len(a.SHA256))
	}
	return a, nil
}

// read returns the content of artifact a of b, at most MaxInputSize bytes.
func (s Source) read(b *db.BuildInfo, a *db.BuildArtifact) ([]byte, error) {
	if a.Size > MaxInputSize {
		return nil, httperr.New(http.StatusInternalServerError,
			fmt.Sprintf("The %s of build %s is too large to compare (%d bytes)", a.Filepath, b.Build.UUID, a.Size), nil)
	}
	f, err := s.Store.OpenArtifact(a.SHA256)
	if err != nil {
		return nil, fmt.Errorf("compare: open %s of build %s: %w", a.Filepath, b.Build.UUID, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("compare: read %s of build %s: %w", a.Filepath, b.Build.UUID, err)
	}
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("compare: %s of build %s grew beyond %d bytes", a.Filepath, b.Build.UUID, MaxInputSize)
	}
	return data, nil
}

// parseMessage names the build whose switch export could not be read.
func (s Source) parseMessage(err error, lb, rb *db.BuildInfo) string {
	var pe *switchError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	b := lb
	if pe.right {
		b = rb
	}
	return "The opam-switch of build " + b.Build.UUID + " (job " + b.JobName +
		") cannot be read as an opam switch export: " + pe.err.Error()
}

// switchError is a switch export that does not parse; right tells which side.
type switchError struct {
	right bool
	err   error
}

func (e *switchError) Error() string {
	side := "left"
	if e.right {
		side = "right"
	}
	return "parse " + side + " opam-switch: " + e.err.Error()
}

func (e *switchError) Unwrap() error { return e.err }

// DiffInputs compares the files of two builds. It never fails: a switch
// export that does not parse leaves the opam categories empty and sets
// OpamErr; pinned and compiler packages are compared like any other
// (product §2.11).
func DiffInputs(left, right Inputs) *Diff {
	d := &Diff{}
	ls, rs, err := parseSwitches(left.OpamSwitch, right.OpamSwitch)
	if err != nil {
		d.Opam = &opam.SwitchDiff{}
		d.OpamErr = err.Error()
		d.parseErr = err
	} else {
		d.Opam = opam.Diff(ls, rs)
		d.OpamUnchanged = unchanged(ls, rs, d.Opam)
	}
	d.Env = DiffKV(ParseEnv(left.BuildEnvironment), ParseEnv(right.BuildEnvironment))
	d.Packages = DiffKV(ParseSystemPackages(left.SystemPackages), ParseSystemPackages(right.SystemPackages))
	return d
}

// parseSwitches parses both exports at once: parsing dominates the time of a
// comparison, and the two are independent.
func parseSwitches(left, right []byte) (*opam.Switch, *opam.Switch, error) {
	var (
		wg   sync.WaitGroup
		rs   *opam.Switch
		rerr error
	)
	wg.Go(func() { rs, rerr = opam.ParseSwitch(right) })
	ls, lerr := opam.ParseSwitch(left)
	wg.Wait()
	if lerr != nil {
		return nil, nil, &switchError{right: false, err: lerr}
	}
	if rerr != nil {
		return nil, nil, &switchError{right: true, err: rerr}
	}
	return ls, rs, nil
}

// unchanged lists the packages installed in the same version on both sides
// that have no opam-file difference, ascending by name.
func unchanged(ls, rs *opam.Switch, d *opam.SwitchDiff) []opam.Package {
	changed := make(map[string]bool, len(d.OpamDiff))
	for _, od := range d.OpamDiff {
		changed[od.Package.Name] = true
	}
	right := make(map[opam.Package]bool, len(rs.Installed))
	for _, p := range rs.Installed {
		right[p] = true
	}
	var out []opam.Package
	for _, p := range ls.Installed {
		if right[p] && !changed[p.Name] {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b opam.Package) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Version, b.Version)
	})
	return slices.CompactFunc(out, func(a, b opam.Package) bool { return a == b })
}
