package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/builder-web/builder-web/app/attest"
)

// maxEnvelope bounds what verify-attestation reads: an envelope of a build
// with thousands of artifacts is well under a megabyte.
const maxEnvelope = 64 << 20

var verifyAttestationCmd = &command{
	name: "verify-attestation", args: "FILE", minArgs: 1, maxArgs: 1,
	summary: "check a signed attestation and print what it states",
	help: `Checks the DSSE envelope in FILE (- for standard input), as served at
/job/<job>/build/<uuid>/attestation or .../reproducibility-attestation: its
signature over the DSSE pre-authentication encoding must verify with one of
the known Ed25519 public keys. Then prints what the in-toto statement says:
subjects, job, platform, uploader, input id, times and inputs (provenance), or
the builds that produced the same binary (reproducibility).

A bad or unknown signature, or a malformed file, exits with status 1 and
prints nothing of the statement.

Flags:
      --key FILE   the public keys (keys.json, e.g. downloaded from the server's
                   /.well-known/builder-web/keys.json); default: the data
                   directory's _keys/keys.json`,
	setup: func(fs *flag.FlagSet) runFunc {
		keyFile := fs.String("key", "", "")
		return func(ctx context.Context, e *env, args []string) error {
			var (
				keys attest.KeySet
				err  error
			)
			if *keyFile != "" {
				keys, err = attest.ReadKeySetFile(*keyFile)
			} else {
				keys, err = attest.ReadKeySet(e.dataDir)
			}
			if err != nil {
				return err
			}
			var r io.Reader = e.stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			data, err := io.ReadAll(io.LimitReader(r, maxEnvelope+1))
			if err != nil {
				return fmt.Errorf("read %s: %w", args[0], err)
			}
			if len(data) > maxEnvelope {
				return fmt.Errorf("%s: larger than %d bytes, no attestation", args[0], maxEnvelope)
			}
			payload, keyID, err := attest.Verify(data, keys)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(e.stdout, "%-10s %s\n", "verified:", "signed by key "+keyID)
			return attest.Describe(e.stdout, payload)
		}
	},
}
