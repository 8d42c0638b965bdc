package main

import (
	"os"
	"syscall"
)

// stopWithParent asks the kernel to send this process SIGTERM when its parent exits, when the parent
// is go run: a backgrounded go run ./cmd/graph emulate stopped with kill then stops the emulator
// too, instead of leaving it holding the port. (The signal is tied to the parent's thread that
// started us; go run's runtime keeps its threads, so it fires when go run exits.) A built binary is
// left alone: it may outlive its shell on purpose (nohup).
func stopWithParent() {
	if !runningUnderGoRun() {
		return
	}
	const prSetPdeathsig = 1 // PR_SET_PDEATHSIG from <linux/prctl.h>
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetPdeathsig, uintptr(syscall.SIGTERM), 0); errno != 0 {
		return
	}
	if os.Getppid() == 1 {
		// go run exited before the request took effect: stop as it would have made us.
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}
}
