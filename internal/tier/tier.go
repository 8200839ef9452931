// Package tier splits brainc's tests in two tiers: the fast one, go test
// -short (no test that compiles and runs XLA programs for long), and the
// whole suite, make test (go test ./... without -short), which runs every
// test of both.
package tier

import (
	"flag"
	"strings"
	"testing"
)

// Slow marks t as a test of the slow tier (it compiles and runs XLA
// programs for about a second or more): with -short it skips, saying so.
func Slow(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("slow tier: make test runs it, go test -short does not")
	}
}

// SlowExamples leaves the named examples, which cannot call Slow, to the
// slow tier: called from a package's TestMain before m.Run, with -short it
// adds them to the -test.skip pattern (keeping one given on the command
// line).
func SlowExamples(names ...string) {
	if !flag.Parsed() {
		flag.Parse()
	}
	if !testing.Short() || len(names) == 0 {
		return
	}
	skip := flag.Lookup("test.skip")
	if skip == nil {
		return
	}
	pattern := "^(" + strings.Join(names, "|") + ")$"
	if old := skip.Value.String(); old != "" {
		pattern = old + "|" + pattern
	}
	_ = skip.Value.Set(pattern)
}
