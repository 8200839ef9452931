package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/netspec"
)

// The built-in decision network (Wang 2002) chooses: with a coherent
// stimulus (c' = 51.2%: 60.48 Hz onto one selective group, 19.52 Hz onto
// the other, from 200 ms), one selective group ends high and the other
// low, and the winner is the group with the stronger input in at least 8
// of 10 seeds, the stronger side alternating between A and B.
func TestDecisionNetworkChoosesTheStrongerInput(t *testing.T) {
	spec, err := models.Spec("decision")
	require.NoError(t, err)
	text := string(spec)
	for _, s := range []string{"rate: 50.24 Hz", "rate: 29.76 Hz", "duration: 2 s"} {
		require.Contains(t, text, s)
	}
	correct := 0
	for seed := 1; seed <= 10; seed++ {
		strongA := seed%2 == 1
		a, b := "60.48 Hz", "19.52 Hz"
		if !strongA {
			a, b = b, a
		}
		s := strings.NewReplacer("rate: 50.24 Hz", "rate: "+a, "rate: 29.76 Hz", "rate: "+b,
			"duration: 2 s", "duration: 1.5 s", "seed: 1", fmt.Sprintf("seed: %d", seed)).Replace(text)
		net, err := netspec.Parse([]byte(s), "decision.yaml")
		require.NoError(t, err)
		rec, _ := simulate(t, net, lower.Options{}, jit.Options{K: 3})
		late := func(pop int) float64 { // rate over the last 500 ms
			n := 0
			for _, tm := range rec.Spikes[pop].Times {
				if tm >= 1000 {
					n++
				}
			}
			return float64(n) / float64(rec.Spikes[pop].Size) / 0.5
		}
		ra, rb := late(0), late(1)
		winnerA := ra > rb
		hi, lo := max(ra, rb), min(ra, rb)
		t.Logf("seed %d: stronger input to %s; late rates A %.1f Hz, B %.1f Hz", seed, map[bool]string{true: "A", false: "B"}[strongA], ra, rb)
		assert.Greater(t, hi, 15.0, "seed %d: the winner fires persistently", seed)
		assert.Less(t, lo, 5.0, "seed %d: the loser is suppressed", seed)
		if winnerA == strongA {
			correct++
		}
	}
	assert.GreaterOrEqual(t, correct, 8, "the stronger input wins in ≥ 80%% of 10 seeds")
}
