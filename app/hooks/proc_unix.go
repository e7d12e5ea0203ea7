//go:build unix

package hooks

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts the hook into a new process group and makes the
// context's end kill the whole group, so that the children a hook started
// (sleep, curl, aptly) die with it instead of piling up.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
