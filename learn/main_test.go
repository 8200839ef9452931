package learn

import (
	"os"
	"testing"

	"github.com/brainc/brainc/internal/tier"
)

// TestMain leaves ExampleTrainer (8 s of training) to the slow tier.
func TestMain(m *testing.M) {
	tier.SlowExamples("ExampleTrainer")
	os.Exit(m.Run())
}
