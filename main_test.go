package brainc

import (
	"fmt"
	"os"
	"testing"

	"github.com/brainc/brainc/internal/tier"
	"github.com/brainc/brainc/jit"
)

// TestMain keeps the package's runs off the user's disk cache of compiled
// programs: they use one of their own, removed at the end. ExampleTrain
// (12 s of training) and ExampleTrainNetwork (6 s) are of the slow tier.
func TestMain(m *testing.M) {
	tier.SlowExamples("ExampleTrain", "ExampleTrainNetwork")
	dir, err := os.MkdirTemp("", "brainc-cache-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(jit.EnvCacheDir, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
