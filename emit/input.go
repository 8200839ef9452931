package emit

import (
	"math"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/ops"
)

// inputCurrent is a population's external input at the start of step idx
// (t = idx·dt, held over the step), a scalar of dtype.
func inputCurrent(in ir.Input, idx *Node, dt float64, dtype dtypes.DType) *Node {
	g := idx.Graph()
	t := MulScalar(ConvertDType(idx, dtype), dt) // ms
	c := func(x float64) *Node { return Scalar(g, dtype, x) }
	switch in.Kind {
	case "ramp":
		frac := Clip(DivScalar(AddScalar(t, -in.Start), in.End-in.Start), c(0), c(1))
		return AddScalar(MulScalar(frac, in.To-in.From), in.From)
	case "sinusoid":
		phase := AddScalar(MulScalar(t, 2*math.Pi*in.Frequency/1000), in.Phase)
		return AddScalar(MulScalar(Sin(phase), in.Amplitude), in.Value)
	case "section":
		out, end := c(0), 0.0
		for k := len(in.Values) - 1; k >= 0; k-- { // earliest section last, so it wins
			start := 0.0
			for _, d := range in.Durations[:k] {
				start += d
			}
			end = start + in.Durations[k]
			inside := And(GreaterOrEqual(t, c(start)), LessThan(t, c(end)))
			out = Where(inside, c(in.Values[k]), out)
		}
		return out
	}
	return c(in.Value)
}

// ouStep advances an Ornstein–Uhlenbeck current exactly over dt:
// I' = μ + (I − μ)·e^{−dt/τ} + σ·√(1 − e^{−2dt/τ})·ξ.
func ouStep(pop *lower.Population, cur, idx *Node, key func(stream string) uint32, dt float64) *Node {
	in := pop.Input
	decay := math.Exp(-dt / in.Tau)
	z := ops.HashNormal(key("ou:"+pop.Name), idx, pop.Size, cur.DType())
	mean := AddScalar(MulScalar(AddScalar(cur, -in.Value), decay), in.Value)
	return Add(mean, MulScalar(z, in.Sigma*math.Sqrt(1-decay*decay)))
}

// stochasticTerm adds a block's Euler–Maruyama noise to the variable's
// deterministic update: σ·√dt·ξ, or σ·X·√dt·ξ with X its value at the start
// of the step, each population with its σ and stream; neurons that spiked
// keep their reset value.
func stochasticTerm(b *lower.Block, before, after, spike, idx *Node, key func(stream string) uint32, dt float64) *Node {
	sigma := make([]float64, len(b.Pops))
	for k, pop := range b.Pops {
		sigma[k] = pop.Noise.Sigma * math.Sqrt(dt)
	}
	dw := blockNormal(b, "sde:", b.Pops[0].Noise.Var, idx, key, after.DType())
	if len(b.Pops) == 1 || slices.Max(sigma) == slices.Min(sigma) {
		dw = MulScalar(dw, sigma[0])
	} else {
		dw = Mul(dw, perPop(b, sigma, after.DType(), dw.Graph()))
	}
	if b.Pops[0].Noise.Multiplicative {
		dw = Mul(dw, before)
	}
	out := Add(after, dw)
	if spike != nil {
		out = dynamics.Pick(spike, after, out)
	}
	return out
}

// blockNormal is this step's standard normal draws for variable v of a
// block, [block size]: each population's from a stream of its own,
// (seed, stream + population.v, step, neuron).
func blockNormal(b *lower.Block, stream, v string, idx *Node, key func(stream string) uint32, dtype dtypes.DType) *Node {
	pieces := make([]*Node, len(b.Pops))
	for k, pop := range b.Pops {
		pieces[k] = ops.HashNormal(key(stream+pop.Name+"."+v), idx, pop.Size, dtype)
	}
	if len(pieces) == 1 {
		return pieces[0]
	}
	return Concatenate(pieces, 0)
}

// perPop is a constant [block size] holding values[k] at population k's
// neurons.
func perPop(b *lower.Block, values []float64, dtype dtypes.DType, g *Graph) *Node {
	v := make([]float64, 0, b.Size)
	for k, pop := range b.Pops {
		for range pop.Size {
			v = append(v, values[k])
		}
	}
	return dynamics.ConstOf(g, dtype, v)
}

// whiteNoise is Sigma·ξ/√dt per neuron for a noise input, ξ ~ N(0, 1) from
// a counter-based hash of (seed, population, step, neuron) by Box–Muller.
func whiteNoise(pop *lower.Population, idx *Node, key func(stream string) uint32, dt float64, dtype dtypes.DType) *Node {
	z := ops.HashNormal(key("noise:"+pop.Name), idx, pop.Size, dtype)
	return MulScalar(z, pop.Input.Sigma/math.Sqrt(dt))
}
