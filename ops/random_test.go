package ops

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/tier"
)

// Poisson counts have the Poisson law: mean, variance and P(0) = e^{−λ}
// over 400k draws, for a small mean (a 1,000-source input at 2.4 Hz,
// dt 0.1 ms), larger ones, and one large enough for the normal
// approximation (λ = 2500, e.g. a million sources at 25 Hz with dt 0.1 ms).
func TestHashPoisson(t *testing.T) {
	tier.Slow(t)
	b := cpu(t)
	const n = 400_000
	for _, lambda := range []float64{0.24, 3, 40, 2500} { // the last by the normal approximation
		out := MustExecOnce(b, func(step *Node) *Node {
			return HashPoisson(9, step, n, lambda, dtypes.Float32)
		}, int32(5))
		counts := out.Value().([]float32)
		var sum, sq, zeros float64
		for _, c := range counts {
			require.Equal(t, float64(c), math.Round(float64(c)), "counts are integers")
			sum += float64(c)
			sq += float64(c) * float64(c)
			if c == 0 {
				zeros++
			}
		}
		mean := sum / n
		variance := sq/n - mean*mean
		se := math.Sqrt(lambda / n)
		assert.InDelta(t, lambda, mean, 5*se, "mean, λ=%g", lambda)
		assert.InDelta(t, lambda, variance, 0.02*lambda, "variance, λ=%g", lambda)
		p0 := math.Exp(-lambda)
		assert.InDelta(t, p0, zeros/n, 5*math.Sqrt(p0*(1-p0)/n)+1e-6, "P(0), λ=%g", lambda)
	}
	assert.Empty(t, PoissonCDF(0, 1e-8))
	cdf := PoissonCDF(2, 1e-9)
	assert.InDelta(t, 5*math.Exp(-2), cdf[2], 1e-15, "F(2) = e^{-2}(1 + 2 + 2)")
	assert.Less(t, 1-cdf[len(cdf)-1], 1e-9)
}
