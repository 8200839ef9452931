//go:build !linux

package pjrt

// restrictCPUs is a no-op where brainc does not set CPU affinity.
func restrictCPUs(int) error { return nil }
