package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/builder-web/builder-web/app/attest"
)

var keyCmd = &command{
	name: "key", args: "show|rotate", minArgs: 1, maxArgs: 1,
	summary: "show or rotate the key that signs attestations",
	help: `The server signs build attestations with an Ed25519 key kept in the data
directory's _keys/ (created on the first start of builder-web, files mode 0600).

  show     prints the public key set (keys.json: every key the server signed
           with, the current one last), as served at
           /.well-known/builder-web/keys.json; give it to verify-attestation --key
  rotate   makes a new signing key. The old public keys stay in the set, so
           attestations signed before still verify; the old private key is
           gone. Restart builder-web to sign with the new key.`,
	setup: noFlags(func(ctx context.Context, e *env, args []string) error {
		if _, err := os.Stat(e.dataDir); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("data directory %s does not exist", e.dataDir)
		}
		switch args[0] {
		case "show":
			k, err := attest.Load(e.dataDir)
			if err != nil {
				return err
			}
			js, err := json.MarshalIndent(k.Set(), "", "  ")
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s\n", js)
			return nil
		case "rotate":
			k, err := attest.Load(e.dataDir)
			switch {
			case errors.Is(err, attest.ErrNoKey):
				// The first key: what builder-web's first start would make.
				k, err = attest.Open(e.dataDir, time.Now())
			case err == nil:
				_, err = k.Rotate(time.Now())
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "signing key %s; %d public keys kept in %s\n",
				k.Current().KeyID, len(k.Set().Keys), attest.Dir(e.dataDir))
			return nil
		}
		return &usageError{cmd: "key", msg: fmt.Sprintf("unknown action %q (show or rotate)", args[0])}
	}),
}
