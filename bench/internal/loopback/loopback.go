// Package loopback holds the benchmark commands' one rule about where they
// may send load: only to this machine, so that a mistyped address never
// turns a benchmark into a load test of someone else's server.
package loopback

import (
	"fmt"
	"net"
)

// Check refuses every address in addrs that is not host:port on a loopback
// address or localhost.
func Check(addrs []string) error {
	for _, a := range addrs {
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			return fmt.Errorf("-addr %q: %w", a, err)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("-addr %q: only loopback addresses are allowed", a)
		}
	}
	return nil
}
