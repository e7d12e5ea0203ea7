// Package attest signs what the server knows about a build so that anyone
// can check it offline: the server's Ed25519 keys (DATADIR/_keys/), in-toto
// statements about builds, and the DSSE envelopes that carry them.
package attest

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/builder-web/builder-web/app/store"
)

// Files of DATADIR/_keys/. The private key is the current one only; the
// public key set keeps every key the server ever signed with, so that old
// statements still verify after a rotation.
const (
	PrivateKeyFile = "signing.key"
	KeySetFile     = "keys.json"
)

// Algorithm is the only signature algorithm, named as in keys.json.
const Algorithm = "ed25519"

// ErrNoKey means the data directory has no signing key yet.
var ErrNoKey = errors.New("no signing key (builder-web creates one on its first start, or run builder-db key rotate)")

// PublicKey is one entry of keys.json.
type PublicKey struct {
	// KeyID is the lowercase hex SHA-256 of the 32 raw public key bytes;
	// DSSE signatures name their key by it.
	KeyID     string `json:"keyid"`
	Algorithm string `json:"algorithm"`
	// PublicKey is the standard base64 of the 32 raw bytes.
	PublicKey string `json:"public_key"`
	Created   string `json:"created"` // RFC 3339, UTC
}

// KeySet is keys.json: served at /.well-known/builder-web/keys.json and read
// by builder-db verify-attestation. Oldest key first.
type KeySet struct {
	Keys []PublicKey `json:"keys"`
}

// KeyID is the key id of an Ed25519 public key.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])
}

func publicKeyOf(pub ed25519.PublicKey, created time.Time) PublicKey {
	return PublicKey{KeyID: KeyID(pub), Algorithm: Algorithm,
		PublicKey: base64.StdEncoding.EncodeToString(pub),
		Created:   created.UTC().Format(time.RFC3339)}
}

// Lookup returns the public key with this key id.
func (s KeySet) Lookup(keyID string) (ed25519.PublicKey, bool) {
	for _, k := range s.Keys {
		if k.KeyID != keyID || k.Algorithm != Algorithm {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(k.PublicKey)
		// The id is recomputed: a keys.json whose id does not match its
		// key must not vouch for it.
		if err != nil || len(raw) != ed25519.PublicKeySize || KeyID(raw) != keyID {
			return nil, false
		}
		return raw, true
	}
	return nil, false
}

// ParseKeySet reads a keys.json document.
func ParseKeySet(data []byte) (KeySet, error) {
	var s KeySet
	if err := json.Unmarshal(data, &s); err != nil {
		return KeySet{}, fmt.Errorf("parse key set: %w", err)
	}
	if len(s.Keys) == 0 {
		return KeySet{}, errors.New("parse key set: no keys")
	}
	return s, nil
}

// Keys is the signing key of a data directory and its public key set.
// It is read once (Open, Load); a rotation by builder-db takes effect for
// the server at its next start.
type Keys struct {
	dir     string
	private ed25519.PrivateKey
	set     KeySet
}

// Dir is DATADIR/_keys.
func Dir(dataDir string) string { return filepath.Join(dataDir, store.KeysDir) }

// Open loads the keys of a data directory, creating the first key when there
// is none (the server's first start). Nodes sharing a data directory may
// start at once: the key is made under the keys' lock, after looking again,
// so that they all sign with the one key that is in keys.json.
func Open(dataDir string, now time.Time) (*Keys, error) {
	k, err := Load(dataDir)
	if !errors.Is(err, ErrNoKey) {
		return k, err
	}
	err = withLock(Dir(dataDir), func() error {
		k, err = Load(dataDir) // another node may have made it meanwhile
		if errors.Is(err, ErrNoKey) {
			k = &Keys{dir: Dir(dataDir)}
			_, err = k.rotate(now)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// lockFile is locked (flock) while a key is made: without it, two nodes
// making their first key at once each wrote keys.json and the private
// key, and one node's key could end up missing from the set. Linux's NFS
// client maps flock onto the server's byte-range locks, so it holds across
// machines sharing the data directory too.
const lockFile = "lock"

func withLock(dir string, fn func() error) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open the keys' lock: %w", err)
	}
	defer f.Close() // closing releases the lock
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock the keys: %w", err)
	}
	return fn()
}

// Load reads the keys of a data directory; ErrNoKey when there are none.
func Load(dataDir string) (*Keys, error) {
	k := &Keys{dir: Dir(dataDir)}
	data, err := os.ReadFile(filepath.Join(k.dir, PrivateKeyFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoKey
	}
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("read signing key %s: not a PEM private key", filepath.Join(k.dir, PrivateKeyFile))
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	priv, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("read signing key: %T is no Ed25519 key", parsed)
	}
	k.private = priv
	if k.set, err = readKeySet(k.dir); err != nil {
		return nil, err
	}
	if _, ok := k.set.Lookup(k.Current().KeyID); !ok {
		return nil, fmt.Errorf("read keys: %s lacks the signing key %s", KeySetFile, k.Current().KeyID)
	}
	return k, nil
}

func readKeySet(dir string) (KeySet, error) {
	data, err := os.ReadFile(filepath.Join(dir, KeySetFile))
	if errors.Is(err, fs.ErrNotExist) {
		return KeySet{}, nil
	}
	if err != nil {
		return KeySet{}, fmt.Errorf("read %s: %w", KeySetFile, err)
	}
	return ParseKeySet(data)
}

// Current is the public key statements are signed with now.
func (k *Keys) Current() PublicKey {
	pub := k.private.Public().(ed25519.PublicKey)
	for _, p := range k.set.Keys {
		if p.KeyID == KeyID(pub) {
			return p
		}
	}
	return publicKeyOf(pub, time.Time{})
}

// Set is the public key set, the current key last.
func (k *Keys) Set() KeySet {
	return KeySet{Keys: append([]PublicKey(nil), k.set.Keys...)}
}

// Rotate makes a new signing key; the old public keys stay in keys.json.
// The key set is written before the private key, so that at every moment
// the signing key on disk is in the set.
func (k *Keys) Rotate(now time.Time) (PublicKey, error) {
	var p PublicKey
	err := withLock(k.dir, func() error {
		var err error
		p, err = k.rotate(now)
		return err
	})
	return p, err
}

// rotate is Rotate; the caller holds the keys' lock.
func (k *Keys) rotate(now time.Time) (PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return PublicKey{}, fmt.Errorf("generate signing key: %w", err)
	}
	if err := os.MkdirAll(k.dir, 0o700); err != nil {
		return PublicKey{}, fmt.Errorf("create %s: %w", k.dir, err)
	}
	set, err := readKeySet(k.dir) // another process may have rotated since Load
	if err != nil {
		return PublicKey{}, err
	}
	p := publicKeyOf(pub, now)
	set.Keys = append(set.Keys, p)
	js, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return PublicKey{}, fmt.Errorf("encode %s: %w", KeySetFile, err)
	}
	if err := writeAtomic(k.dir, KeySetFile, append(js, '\n')); err != nil {
		return PublicKey{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return PublicKey{}, fmt.Errorf("encode signing key: %w", err)
	}
	if err := writeAtomic(k.dir, PrivateKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return PublicKey{}, err
	}
	k.private, k.set = priv, set
	return p, nil
}

// writeAtomic replaces dir/name by data, mode 0600, synced: a crash
// leaves the old file or the new one, never a part.
func writeAtomic(dir, name string, data []byte) error {
	return store.WriteAtomic(filepath.Join(dir, name), data, 0o600, true)
}
