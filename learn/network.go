package learn

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/dynamics"
	"github.com/brainc/brainc/ops"
)

// Params are the network's parameters as graph values. Nil optional fields
// take the Config's constants.
type Params struct {
	// WIn [Inputs, Hidden], WOut [Hidden, Outputs]: required.
	WIn, WOut *Node
	// WRec [Hidden, Hidden]: required when Config.Recurrent.
	WRec *Node
	// Bias [Hidden]: a constant input current to every hidden neuron.
	Bias *Node
	// Tau and VTh [Hidden]: per-neuron membrane time constant and threshold.
	Tau, VTh *Node
	// V0 [Hidden]: the initial membrane potential (0 when nil).
	V0 *Node
}

// Output is what Forward computes.
type Output struct {
	// Scores [Batch, Outputs]: per-class scores, reduced over time as the
	// loss reads them: the maximum (ce_max) or the mean (ce_mean) of a leaky
	// readout's potential, or a spiking readout's spike counts.
	Scores *Node
	// Counts [Batch, Hidden]: the hidden layer's spike counts.
	Counts *Node
	// Readout [Steps, Batch, Outputs]: the readout potential (leaky) or the
	// output spikes (spiking), per step, for monitoring.
	Readout *Node
	// Hidden [Steps, Batch, Hidden]: the hidden layer's spikes, for monitoring.
	Hidden *Node
}

// Forward runs the network over x, [Steps, Batch, Inputs] input spikes
// (time-major, of the float type), and returns the readout and hidden
// spikes of every step. The hidden layer is dynamics.LifRef stepped with the
// configured surrogate; the readout is dynamics.Leaky or a second LifRef.
func Forward(c Config, p Params, x *Node) Output {
	g := x.Graph()
	dt := x.DType()
	dims := x.Shape().Dimensions
	steps, batch := dims[0], dims[1]
	integ, method := dynamics.Euler, dynamics.EulerMethod
	if c.Integrator == "exp_euler" {
		integ, method = dynamics.ExpEuler, dynamics.ExpEulerMethod
	}
	row := func(n *Node) *Node { // [H] → [1, H], broadcast over the batch
		if n == nil {
			return nil
		}
		return Reshape(n, 1, n.Shape().Dimensions[0])
	}
	hidden := &dynamics.LifRef{VReset: c.VReset, VTh: c.VTh, R: 1, Tau: c.TauMem, TauVar: row(p.Tau), VThVar: row(p.VTh)}
	sur := c.Surrogate
	// The input is sliced per step before the product: the gradient of a
	// slice is a zero-padded copy of the whole array, so slicing the
	// [Steps, Batch, Hidden] currents instead would make BPTT O(Steps²).
	var bias *Node
	if p.Bias != nil {
		bias = row(p.Bias)
	}
	v := Zeros(g, shapesOf(dt, batch, c.Hidden))
	if p.V0 != nil {
		v = Add(v, row(p.V0))
	}
	never := Scalar(g, dtypes.Int32, dynamics.NeverSpiked)
	hs := dynamics.Vars{"V": v, "last_spike": BroadcastToDims(never, batch, c.Hidden)}
	s := Zeros(g, shapesOf(dt, batch, c.Hidden))
	o := Zeros(g, shapesOf(dt, batch, c.Outputs))
	var out *dynamics.LifRef
	os := dynamics.Vars{}
	if c.Readout == ReadoutSpiking {
		out = &dynamics.LifRef{VReset: c.VReset, VTh: c.VTh, R: 1, Tau: c.TauMem}
		os = dynamics.Vars{"V": o, "last_spike": BroadcastToDims(never, batch, c.Outputs)}
	}
	leaky := &dynamics.Leaky{Tau: c.TauOut}
	readouts := make([]*Node, steps)
	spikes := make([]*Node, steps)
	// Time reductions run along with the steps: reducing the stacked
	// [Steps, …] arrays instead makes XLA's backward pass (slices of a fused
	// concatenation) cost O(Steps²).
	var scores, counts *Node
	reduce := func(acc, x *Node, useMax bool) *Node {
		switch {
		case acc == nil:
			return x
		case useMax:
			return Max(acc, x)
		}
		return Add(acc, x)
	}
	useMax := c.Readout == ReadoutLeaky && c.Loss == LossMaxCE
	for t := range steps {
		cur := ops.Linear(Squeeze(Slice(x, AxisElem(t)), 0), p.WIn)
		if bias != nil {
			cur = Add(cur, bias)
		}
		if c.Recurrent {
			cur = Add(cur, ops.Linear(s, p.WRec))
		}
		step := dynamics.Step{Index: Scalar(g, dtypes.Int32, t), Dt: c.Dt, Surrogate: &sur}
		hs, s = hidden.Update(hs, func(*Node) *Node { return cur }, step, method)
		drive := ops.Linear(s, p.WOut)
		if out != nil {
			os, o = out.Update(os, func(*Node) *Node { return drive }, step, method)
		} else {
			o = leaky.Update(o, drive, c.Dt, integ)
		}
		readouts[t], spikes[t] = o, s
		scores, counts = reduce(scores, o, useMax), reduce(counts, s, false)
	}
	if c.Readout == ReadoutLeaky && c.Loss == LossMeanCE {
		scores = DivScalar(scores, float64(steps))
	}
	return Output{Scores: scores, Counts: counts, Readout: Stack(readouts, 0), Hidden: Stack(spikes, 0)}
}
