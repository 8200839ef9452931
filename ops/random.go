package ops

import (
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Counter-based random numbers: every draw is a pure function of (key,
// counter, element), computed in the graph from Hash32, so simulations are
// reproducible on any backend, independent of chunking, and keep no random
// state.

// HashUniform returns n uniform draws in (0, 1) of dtype for the counter
// (a scalar Int32 node, e.g. the step index) under key: element i is
// derived from hash(hash(counter + key) + i·φ), so every (key, counter, i)
// has its own reproducible number, on any backend, without state.
func HashUniform(key uint32, counter *Node, n int, dtype dtypes.DType) *Node {
	g := counter.Graph()
	row := hash32(Add(ConvertDType(counter, dtypes.Uint32), Scalar(g, dtypes.Uint32, key)))
	i := Mul(Iota(g, shapes.Make(dtypes.Uint32, n), 0), Scalar(g, dtypes.Uint32, uint32(golden)))
	return uniform(hash32(Add(row, i)), dtype)
}

// HashNormal returns n standard normal draws of dtype for the counter under
// key, by Box–Muller from two HashUniform streams.
func HashNormal(key uint32, counter *Node, n int, dtype dtypes.DType) *Node {
	return boxMuller(HashUniform(key, counter, n, dtype), HashUniform(Hash32(key^0x5bd1e995), counter, n, dtype))
}

// boxMuller turns two independent uniforms in (0, 1) into a standard normal.
func boxMuller(u1, u2 *Node) *Node {
	return Mul(Sqrt(MulScalar(Log(u1), -2)), Cos(MulScalar(u2, 2*math.Pi)))
}

// poissonNormalFrom is the mean from which HashPoisson draws from the
// normal approximation: the inversion table would have λ + 20√λ + 40
// entries per neuron, and the skewness 1/√λ is below 0.1.
const poissonNormalFrom = 100

// HashPoisson returns n independent Poisson counts of mean lambda (≥ 0)
// for the counter under key, as dtype (float) values, by inversion of one
// HashUniform draw: count = #{j : u > F(j)}, F the Poisson CDF, tabulated on
// the host up to where its tail is below the uniform's resolution (2⁻²⁴).
// From lambda = 100 on it draws max(0, round(λ + √λ·z)), z ~ N(0, 1) (the
// normal approximation), whose cost does not grow with lambda.
func HashPoisson(key uint32, counter *Node, n int, lambda float64, dtype dtypes.DType) *Node {
	if lambda >= poissonNormalFrom {
		z := HashNormal(key, counter, n, dtype)
		return MaxScalar(Round(AddScalar(MulScalar(z, math.Sqrt(lambda)), lambda)), 0)
	}
	u := HashUniform(key, counter, n, dtype)
	cdf := PoissonCDF(lambda, 1.0/(1<<25))
	if len(cdf) == 0 {
		return ZerosLike(u)
	}
	f := Const(u.Graph(), cdf)
	if dtype != dtypes.Float64 {
		f = ConvertDType(f, dtype)
	}
	above := GreaterThan(ExpandAxes(u, -1), ExpandAxes(f, 0)) // [n, J]
	return ReduceSum(ConvertDType(above, dtype), -1)
}

// PoissonCDF tabulates F(j) = P(X ≤ j) for X ~ Poisson(lambda), j = 0, 1, …,
// until 1 − F(j) < tail. It is empty for lambda = 0.
func PoissonCDF(lambda, tail float64) []float64 {
	if !(lambda > 0) {
		return nil
	}
	var cdf []float64
	// Work in logs so that large lambda does not underflow e^{−λ}.
	logP, sum := -lambda, 0.0
	for j := 0; ; j++ {
		if j > 0 {
			logP += math.Log(lambda / float64(j))
		}
		sum += math.Exp(logP)
		cdf = append(cdf, sum)
		if 1-sum < tail && float64(j) > lambda || j > int(lambda+20*math.Sqrt(lambda)+40) {
			return cdf
		}
	}
}
