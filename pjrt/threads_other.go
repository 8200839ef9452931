//go:build !linux

package pjrt

import "runtime"

// restrictCPUs is a no-op where brainc does not set CPU affinity.
func restrictCPUs(int) error { return nil }

// CPUsAvailable is the number of CPUs the process may run on.
func CPUsAvailable() int { return runtime.NumCPU() }
