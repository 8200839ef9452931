package dynamics

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/ops"
)

// Poisson is a population of independent Poisson spike sources: each
// neuron fires in a step with probability Rate·dt, drawn from a
// counter-based hash of (Key, step, neuron), so runs are reproducible and
// need no random state. It has no membrane potential and takes no input:
// it is a source for projections only. States: last_spike.
type Poisson struct {
	Rate float64 // Hz
	// Key selects the random streams (set from the network seed and the
	// population's name when lowered).
	Key uint32
}

// States lists last_spike.
func (n *Poisson) States(dtypes.DType) []StateVar {
	return []StateVar{{"last_spike", dtypes.Int32}}
}

// Potential is "": a Poisson population has none and cannot receive
// projections.
func (n *Poisson) Potential() string { return "" }

// Update draws this step's spikes.
func (n *Poisson) Update(s Vars, _ Current, step Step, _ Method) (Vars, *Node) {
	last := s["last_spike"]
	size := last.Shape().Dimensions[0]
	u := ops.HashUniform(n.Key, step.Index, size, dtypes.Float32)
	spike := LessThan(u, Scalar(u.Graph(), dtypes.Float32, n.Rate*step.Dt/1000))
	return Vars{"last_spike": Where(spike, BroadcastToShape(step.Index, last.Shape()), last)}, spike
}
