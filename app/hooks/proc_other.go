//go:build !unix

package hooks

import "os/exec"

// ownProcessGroup: without process groups only the hook itself is killed.
func ownProcessGroup(cmd *exec.Cmd) {}
