package attest

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// PayloadType is the DSSE payload type of an in-toto statement.
const PayloadType = "application/vnd.in-toto+json"

// Envelope is a DSSE envelope (github.com/secure-systems-lab/dsse,
// envelope.md), fields in the order of the specification's example.
type Envelope struct {
	Payload     string      `json:"payload"` // standard base64
	PayloadType string      `json:"payloadType"`
	Signatures  []Signature `json:"signatures"`
}

// Signature is one signature of an envelope.
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"` // standard base64
}

// PAE is DSSE's pre-authentication encoding, what is actually signed:
// "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths in ASCII
// decimal (protocol.md). Signing the type with the body means a statement
// cannot be passed off as another kind of document.
func PAE(payloadType string, body []byte) []byte {
	out := make([]byte, 0, len(body)+len(payloadType)+32)
	out = append(out, "DSSEv1 "...)
	out = strconv.AppendInt(out, int64(len(payloadType)), 10)
	out = append(out, ' ')
	out = append(out, payloadType...)
	out = append(out, ' ')
	out = strconv.AppendInt(out, int64(len(body)), 10)
	out = append(out, ' ')
	return append(out, body...)
}

// Sign wraps body in an envelope signed with the current key. Ed25519
// signatures are deterministic, so the same body gives the same bytes.
func (k *Keys) Sign(payloadType string, body []byte) Envelope {
	sig := ed25519.Sign(k.private, PAE(payloadType, body))
	return Envelope{
		Payload:     base64.StdEncoding.EncodeToString(body),
		PayloadType: payloadType,
		Signatures:  []Signature{{KeyID: k.Current().KeyID, Sig: base64.StdEncoding.EncodeToString(sig)}},
	}
}

// SignJSON signs v, encoded as JSON, as an in-toto statement and returns the
// envelope as one line of JSON (the .intoto.jsonl form) with its newline.
func (k *Keys) SignJSON(v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode statement: %w", err)
	}
	out, err := json.Marshal(k.Sign(PayloadType, body))
	if err != nil {
		return nil, fmt.Errorf("encode envelope: %w", err)
	}
	return append(out, '\n'), nil
}

// ErrBadSignature means no signature of an envelope verifies with a known key.
var ErrBadSignature = errors.New("no valid signature by a known key")

// decodeB64 accepts standard and URL-safe base64, padded or not, as DSSE
// asks of verifiers. Strict: the unused bits of the last character must be
// zero, so that no two texts decode to the same bytes.
func decodeB64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding.Strict(), base64.RawStdEncoding.Strict(),
		base64.URLEncoding.Strict(), base64.RawURLEncoding.Strict()} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("malformed base64")
}

// Verify checks an envelope (JSON) against a key set and returns its payload
// and the id of the key that signed it. Only a payload whose signature
// verifies is returned: callers never see unverified bytes.
func Verify(data []byte, keys KeySet) (payload []byte, keyID string, err error) {
	var e Envelope
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, "", fmt.Errorf("parse envelope: %w", err)
	}
	if len(e.Signatures) == 0 {
		return nil, "", errors.New("parse envelope: no signatures")
	}
	if e.PayloadType != PayloadType {
		return nil, "", fmt.Errorf("parse envelope: payloadType %q, want %q", e.PayloadType, PayloadType)
	}
	body, err := decodeB64(e.Payload)
	if err != nil {
		return nil, "", fmt.Errorf("parse envelope payload: %w", err)
	}
	pae := PAE(e.PayloadType, body)
	for _, s := range e.Signatures {
		pub, ok := keys.Lookup(s.KeyID)
		if !ok {
			continue
		}
		sig, err := decodeB64(s.Sig)
		if err != nil {
			continue
		}
		if ed25519.Verify(pub, pae, sig) {
			return body, s.KeyID, nil
		}
	}
	return nil, "", ErrBadSignature
}
