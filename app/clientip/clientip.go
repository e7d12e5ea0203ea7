// Package clientip decides who a request came from and whether it came over
// TLS. X-Forwarded-For and X-Forwarded-Proto are believed only from the
// proxies named by --trusted-proxy; from anyone else they are ignored, or a
// client could pick the address it is throttled under and get Secure
// cookies over plain HTTP.
package clientip

import (
	"fmt"
	"net/netip"
	"strings"
)

// Resolver holds the trusted proxies. It is immutable and safe for
// concurrent use.
type Resolver struct {
	trusted []netip.Prefix
}

// New parses the trusted proxies: CIDRs ("10.0.0.0/8") or plain addresses.
func New(trusted []string) (*Resolver, error) {
	r := &Resolver{}
	for _, s := range trusted {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			r.trusted = append(r.trusted, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR", s)
		}
		a = a.Unmap()
		r.trusted = append(r.trusted, netip.PrefixFrom(a, a.BitLen()))
	}
	return r, nil
}

// Trusted reports whether a is one of the trusted proxies. A nil Resolver
// trusts nobody.
func (r *Resolver) Trusted(a netip.Addr) bool {
	if r == nil {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Client returns the address of the client: the peer, or, when the peer is a
// trusted proxy, the nearest address in X-Forwarded-For (read right to left)
// that is not itself a trusted proxy. Entries left of an untrusted one were
// written by the client and are never believed.
func (r *Resolver) Client(peer netip.Addr, forwardedFor []string) netip.Addr {
	client := peer.Unmap()
	if !r.Trusted(client) {
		return client
	}
	hops := splitList(forwardedFor)
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := parseHop(hops[i])
		if err != nil {
			return client // garbage from the proxy: stop at the last good hop
		}
		client = a
		if !r.Trusted(a) {
			return a
		}
	}
	return client
}

// Secure reports whether the client's request travelled over TLS: this
// connection is TLS, or a trusted proxy says the client used https.
func (r *Resolver) Secure(peer netip.Addr, tls bool, forwardedProto []string) bool {
	if tls {
		return true
	}
	if !r.Trusted(peer) {
		return false
	}
	// The first value is what the outermost proxy saw from the client.
	protos := splitList(forwardedProto)
	return len(protos) > 0 && strings.EqualFold(protos[0], "https")
}

// splitList flattens repeated, comma-separated header values.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port or in brackets, as some proxies write them.
func parseHop(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("forwarded address %q: %w", s, err)
	}
	return a.Unmap(), nil
}

// Key is the address a client is throttled under: the address itself for
// IPv4, its /64 for IPv6, since one host usually holds a whole /64.
func Key(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
