package attest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ReadKeySet reads the public key set of a data directory, for verifying
// without the private key.
func ReadKeySet(dataDir string) (KeySet, error) {
	s, err := readKeySet(Dir(dataDir))
	if err != nil {
		return KeySet{}, err
	}
	if len(s.Keys) == 0 {
		return KeySet{}, fmt.Errorf("%s: %w", filepath.Join(Dir(dataDir), KeySetFile), ErrNoKey)
	}
	return s, nil
}

// ReadKeySetFile reads a keys.json file (as served at
// /.well-known/builder-web/keys.json).
func ReadKeySetFile(path string) (KeySet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return KeySet{}, fmt.Errorf("read key set: %w", err)
	}
	return ParseKeySet(data)
}

// Describe writes what a verified statement says, one fact a line, for
// builder-db verify-attestation. Only call it with a verified payload.
func Describe(w io.Writer, payload []byte) error {
	var head Statement[json.RawMessage]
	if err := json.Unmarshal(payload, &head); err != nil {
		return fmt.Errorf("parse statement: %w", err)
	}
	if head.Type != StatementType {
		return fmt.Errorf("parse statement: _type %q, want %q", head.Type, StatementType)
	}
	if len(head.Subject) == 0 {
		return errors.New("parse statement: no subject")
	}
	var lines [][2]string
	add := func(k, v string) { lines = append(lines, [2]string{k, v}) }
	add("statement", head.PredicateType)
	for _, s := range head.Subject {
		add("subject", s.Name+" sha256:"+s.Digest.SHA256)
	}
	switch head.PredicateType {
	case ProvenanceType:
		var p Provenance
		if err := json.Unmarshal(head.Predicate, &p); err != nil {
			return fmt.Errorf("parse provenance: %w", err)
		}
		bd, md := p.BuildDefinition, p.RunDetails.Metadata
		add("job", bd.ExternalParameters.Job)
		add("platform", bd.ExternalParameters.Platform)
		add("uploader", bd.InternalParameters.Uploader)
		add("input id", bd.InternalParameters.InputID)
		add("build", md.InvocationID)
		add("started", md.StartedOn)
		add("finished", md.FinishedOn)
		for _, d := range bd.ResolvedDependencies {
			add("input", d.Name+" sha256:"+d.Digest.SHA256)
		}
	case ReproducibilityType:
		var p Reproducibility
		if err := json.Unmarshal(head.Predicate, &p); err != nil {
			return fmt.Errorf("parse reproducibility: %w", err)
		}
		add("job", p.Job)
		add("platform", p.Platform)
		add("input id", p.InputID)
		for _, b := range p.Builds {
			add("built by", b.UUID+" "+b.Uploader+" "+b.StartedOn)
		}
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%-10s %s\n", l[0]+":", l[1]); err != nil {
			return err
		}
	}
	return nil
}
